"""``tf.flags`` / ``tf.app.flags``: command-line flags as TF1 programs define them.

TF re-exports absl's flags; this is the part programs use, with absl's parsing rules:
``--name=value`` or ``--name value``, ``--flag``/``--noflag`` for booleans, ``--``
ending the flags, and flags and positional arguments in any order. ``FLAGS(argv)``
parses and returns the arguments that are not flags. Reading a flag before any parse
parses ``sys.argv`` first, as TF's ``FLAGS`` does, but that implicit parse skips
arguments it does not know: a notebook kernel's own (``-f kernel.json``) would
otherwise stop every program that reads a flag.

Examples
--------
>>> flags = FlagValues()
>>> _ = DEFINE_integer("steps", 100, "training steps", lower_bound=1, flag_values=flags)
>>> _ = DEFINE_boolean("verbose", False, "talk more", flag_values=flags)
>>> flags(["train.py", "--steps=20", "data.csv", "--verbose"])
['train.py', 'data.csv']
>>> flags.steps, flags.verbose
(20, True)
"""

from __future__ import annotations

import sys

__all__ = [
    "FLAGS",
    "BooleanFlag",
    "CantOpenFlagFileError",
    "DEFINE",
    "DEFINE_alias",
    "DEFINE_bool",
    "DEFINE_boolean",
    "DEFINE_enum",
    "DEFINE_enum_class",
    "DEFINE_flag",
    "DEFINE_float",
    "DEFINE_integer",
    "DEFINE_list",
    "DEFINE_multi",
    "DEFINE_multi_enum",
    "DEFINE_multi_enum_class",
    "DEFINE_multi_float",
    "DEFINE_multi_integer",
    "DEFINE_multi_string",
    "DEFINE_spaceseplist",
    "DEFINE_string",
    "DuplicateFlagError",
    "EnumClassFlag",
    "EnumFlag",
    "Error",
    "Flag",
    "FlagNameConflictsWithMethodError",
    "FlagValues",
    "IllegalFlagValueError",
    "MultiEnumClassFlag",
    "MultiFlag",
    "UnparsedFlagAccessError",
    "UnrecognizedFlagError",
    "ValidationError",
    "mark_bool_flags_as_mutual_exclusive",
    "mark_flag_as_required",
    "mark_flags_as_mutual_exclusive",
    "mark_flags_as_required",
    "multi_flags_validator",
    "override_value",
    "register_multi_flags_validator",
    "register_validator",
    "set_default",
    "validator",
]


class Error(Exception):
    """The base of the flag errors."""


class CantOpenFlagFileError(Error):
    """A ``--flagfile`` could not be read."""


class DuplicateFlagError(Error):
    """A flag name defined twice."""


class FlagNameConflictsWithMethodError(Error):
    """A flag named like a method of ``FlagValues``."""


class IllegalFlagValueError(Error):
    """A flag's value that its parser or a validator refuses."""


class UnparsedFlagAccessError(Error, AttributeError):
    """A flag read before the flags were parsed."""


class UnrecognizedFlagError(Error):
    """An argument naming no defined flag."""

    def __init__(self, flagname: str, flagvalue: str = "", suggestions=None):
        self.flagname, self.flagvalue = flagname, flagvalue
        super().__init__(f"Unknown command line flag '{flagname}'")


class ValidationError(Error):
    """A validator that found the flags' values wrong."""


# -- parsing a value ------------------------------------------------------------------


def _parse_bool(text) -> bool:
    if isinstance(text, bool):
        return text
    lowered = str(text).lower()
    if lowered in ("true", "t", "1"):
        return True
    if lowered in ("false", "f", "0"):
        return False
    raise ValueError("Non-boolean argument to boolean flag", text)


def _bounded(convert, kind: str, lower, upper):
    """``convert``, refusing values outside ``[lower, upper]`` in absl's words."""
    if lower is not None and upper is not None:
        expected = f"{kind} in the range [{lower}, {upper}]"
    else:
        named = {(1, None): "positive", (None, -1): "negative", (0, None): "non-negative"}
        named[None, 0] = "non-positive"
        word = named.get((lower, upper))
        noun = kind.split(" ", 1)[1]
        if word is not None:
            expected = f"a {word} {noun}"
        elif upper is not None:
            expected = f"{kind} <= {upper}"
        else:
            expected = f"{kind} >= {lower}"

    def parse(text):
        value = convert(text)
        if (lower is not None and value < lower) or (upper is not None and value > upper):
            raise ValueError(f"{value} is not {expected}")
        return value

    return parse


def _parse_int(text) -> int:
    if isinstance(text, int) and not isinstance(text, bool):
        return text
    text = str(text)
    base = 0 if text.lower().lstrip("+-").startswith(("0x", "0o", "0b")) else 10
    return int(text, base)


def _parse_list(separator):
    def parse(text):
        if isinstance(text, list | tuple):
            return list(text)
        text = str(text).strip()
        if not text:
            return []
        parts = text.split(separator) if separator else text.replace(",", " ").split()
        return [part.strip() for part in parts]

    return parse


def _parse_enum(values, case_sensitive: bool = True):
    def parse(text):
        for value in values:
            if text == value or (not case_sensitive and str(text).upper() == value.upper()):
                return value
        raise ValueError(f"value should be one of <{'|'.join(values)}>")

    return parse


def _parse_enum_class(enum_class, case_sensitive: bool = False):
    def parse(text):
        if isinstance(text, enum_class):
            return text
        for member in enum_class:
            if text == member.name or (not case_sensitive and text.upper() == member.name.upper()):
                return member
        names = "|".join(member.name for member in enum_class)
        raise ValueError(f"value should be one of <{names}>")

    return parse


# -- flags ----------------------------------------------------------------------------


class Flag:
    """One flag: its name, parser, default, help and current value.

    ``parser`` is a function from the argument's text to the value, or an object with a
    ``parse`` method (absl's parser classes); ``serializer`` is accepted for absl's
    signature.
    """

    def __init__(
        self,
        parser,
        serializer,
        name: str,
        default,
        help_string: str,
        short_name: str | None = None,
        boolean: bool = False,
        allow_override: bool = False,
    ):
        self.parser = getattr(parser, "parse", parser)
        self.serializer = serializer
        self.name = name
        self.help = help_string or "(no help available)"
        self.short_name = short_name
        self.boolean = boolean
        self.allow_override = allow_override
        self.present = 0
        self.using_default_value = True
        self.default = None if default is None else self._convert(default)
        self.value = self.default

    def _convert(self, argument):
        try:
            return self.parser(argument)
        except (TypeError, ValueError) as err:
            shown = argument if isinstance(argument, str) else repr(argument)
            reason = err.args[0] if len(err.args) == 1 else str(err)
            raise IllegalFlagValueError(f"flag --{self.name}={shown}: {reason}") from None

    def parse(self, argument) -> None:
        """Set the value from ``argument``, as given on the command line."""
        self.value = self._convert(argument)
        self.present += 1
        self.using_default_value = False

    def unparse(self) -> None:
        """Back to the default, as before any parse."""
        self.value, self.present, self.using_default_value = self.default, 0, True

    def __repr__(self):
        return f"<{type(self).__name__} --{self.name}={self.value!r}>"


class BooleanFlag(Flag):
    """A ``--name``/``--noname`` flag."""

    def __init__(self, name, default, help, short_name=None, **args):
        super().__init__(_parse_bool, None, name, default, help, short_name, True, **args)


class EnumFlag(Flag):
    """A flag whose value is one of ``enum_values`` (strings)."""

    def __init__(self, name, default, help, enum_values, short_name=None, case_sensitive=True):
        self.enum_values = list(enum_values)
        parse = _parse_enum(self.enum_values, case_sensitive)
        super().__init__(parse, None, name, default, help, short_name)


class EnumClassFlag(Flag):
    """A flag whose value is a member of ``enum_class``, given by name."""

    def __init__(self, name, default, help, enum_class, short_name=None, case_sensitive=False):
        self.enum_class = enum_class
        parse = _parse_enum_class(enum_class, case_sensitive)
        super().__init__(parse, None, name, default, help, short_name)


class MultiFlag(Flag):
    """A flag given any number of times; its value is the list of what was given."""

    def _convert(self, argument):
        items = argument if isinstance(argument, list | tuple) else [argument]
        return [super(MultiFlag, self)._convert(item) for item in items]

    def parse(self, argument) -> None:
        values = self._convert(argument)
        self.value = values if self.using_default_value else [*self.value, *values]
        self.present += 1
        self.using_default_value = False


class MultiEnumClassFlag(MultiFlag):
    """A :class:`MultiFlag` of members of ``enum_class``."""

    def __init__(self, name, default, help_string, enum_class, case_sensitive=False):
        self.enum_class = enum_class
        parse = _parse_enum_class(enum_class, case_sensitive)
        super().__init__(parse, None, name, default, help_string)


# -- the registry of flags ------------------------------------------------------------


class FlagValues:
    """A set of flags, read as attributes (``FLAGS.steps``); call it to parse ``argv``."""

    def __init__(self):
        object.__setattr__(self, "_flags", {})
        object.__setattr__(self, "_validators", [])
        object.__setattr__(self, "_parsed", False)

    # Registering.
    def __setitem__(self, name: str, flag: Flag) -> None:
        flags = self._flags
        if name in flags and not flag.allow_override and flags[name] is not flag:
            raise DuplicateFlagError(f"The flag '{name}' is defined twice.")
        if name in dir(type(self)):
            raise FlagNameConflictsWithMethodError(
                f"Cannot define a flag named '{name}': FlagValues has a method of that name."
            )
        flags[name] = flag
        if flag.short_name:
            flags[flag.short_name] = flag

    def __getitem__(self, name: str) -> Flag:
        return self._flags[name]

    def __contains__(self, name) -> bool:
        return name in self._flags

    def __iter__(self):
        return iter(self._flags)

    def __len__(self) -> int:
        return len(self._flags)

    # Reading and writing values.
    def __getattr__(self, name: str):
        flags = self.__dict__["_flags"]
        if name not in flags:
            raise AttributeError(name)
        if not self.__dict__["_parsed"]:
            self(sys.argv, known_only=True)  # TF parses sys.argv on the first read
        return flags[name].value

    def __setattr__(self, name: str, value) -> None:
        flag = self._flags.get(name)
        if flag is None:
            raise AttributeError(f"'{name}' is no flag; define it with DEFINE_*.")
        flag.value = value
        flag.using_default_value = False
        self._validate()

    def __delattr__(self, name: str) -> None:
        if name not in self._flags:
            raise AttributeError(name)
        flag = self._flags.pop(name)
        if flag.short_name:
            self._flags.pop(flag.short_name, None)

    def get_flag_value(self, name: str, default):
        """The value of flag ``name``, or ``default`` if there is no such flag."""
        flag = self._flags.get(name)
        return default if flag is None else flag.value

    def set_default(self, name: str, value) -> None:
        """Change flag ``name``'s default (and its value, if no argument set it)."""
        flag = self._flags[name]
        flag.default = flag._convert(value)
        if flag.using_default_value:
            flag.value = flag.default

    def flag_values_dict(self) -> dict:
        """Every flag's name and value."""
        return {name: flag.value for name, flag in self._flags.items() if name == flag.name}

    # Parsing.
    def is_parsed(self) -> bool:
        return self._parsed

    def mark_as_parsed(self) -> None:
        object.__setattr__(self, "_parsed", True)

    def unparse_flags(self) -> None:
        """Every flag back to its default; the next read parses ``sys.argv`` again."""
        for flag in set(self._flags.values()):
            flag.unparse()
        object.__setattr__(self, "_parsed", False)

    def __call__(self, argv, known_only: bool = False) -> list:
        """Parse the flags in ``argv[1:]``; return ``argv[0]`` and the other arguments.

        Raises
        ------
        UnrecognizedFlagError
            An argument names no flag (unless ``known_only``).
        IllegalFlagValueError
            A value its flag's parser or a validator refuses.
        """
        if isinstance(argv, str) or not argv:
            raise TypeError("argv must be a non-empty list of the program and its arguments.")
        rest = [argv[0]]
        arguments = iter(argv[1:])
        for argument in arguments:
            if argument == "--":
                rest.extend(arguments)
                break
            if not argument.startswith("-") or argument == "-":
                rest.append(argument)
                continue
            unknown = self._parse_one(argument, arguments)
            if unknown is not None:
                if not known_only:
                    raise UnrecognizedFlagError(unknown, argument)
                rest.append(argument)
        self.mark_as_parsed()
        self._validate()
        return rest

    def _parse_one(self, argument: str, following) -> str | None:
        """Parse one ``--name[=value]`` argument; the name if no flag has it."""
        name, has_value, value = argument.lstrip("-").partition("=")
        flag = self._flags.get(name)
        if flag is None and name.startswith("no") and not has_value:
            negated = self._flags.get(name[2:])
            if negated is not None and negated.boolean:
                negated.parse("false")
                return None
        if flag is None:
            return name
        if flag.boolean and not has_value:
            value = "true"
        elif not has_value:
            value = next(following, None)
            if value is None:
                raise Error(f"Missing value for flag --{name}")
        flag.parse(value)
        return None

    def _validate(self) -> None:
        for names, check, message in self._validators:
            values = {name: self._flags[name].value for name in names}
            try:
                ok = check(values[names[0]] if len(names) == 1 else values)
            except ValidationError as err:
                ok, message = False, str(err)
            if not ok:
                shown = ", ".join(f"--{name}={value}" for name, value in values.items())
                raise IllegalFlagValueError(f"flag {shown}: {message}")

    def add_validator(self, names: list, check, message: str) -> None:
        for name in names:
            if name not in self._flags:
                raise KeyError(f"Flag --{name} is not defined; define it before validating it.")
        self._validators.append((list(names), check, message))

    def __repr__(self):
        return f"<FlagValues: {', '.join(sorted(self.flag_values_dict()))}>"


FLAGS = FlagValues()


# -- defining flags -------------------------------------------------------------------


def DEFINE_flag(flag: Flag, flag_values: FlagValues = FLAGS, module_name=None, required=False):
    """Register ``flag``; return it (its ``.value`` follows the parsed value)."""
    flag_values[flag.name] = flag
    if required:
        mark_flag_as_required(flag.name, flag_values)
    return flag


def DEFINE(
    parser, name, default, help, flag_values=FLAGS, serializer=None, module_name=None,
    required=False, **args,
):  # fmt: skip
    """A flag read by ``parser`` (a function of the text, or an object with ``parse``)."""
    flag = Flag(parser, serializer, name, default, help, **args)
    return DEFINE_flag(flag, flag_values, module_name, required)


def DEFINE_string(name, default, help, flag_values=FLAGS, required=False, **args):
    """A string flag.

    Examples
    --------
    >>> flags = FlagValues()
    >>> _ = DEFINE_string("data_dir", "/tmp/data", "where the data is", flag_values=flags)
    >>> flags(["prog", "--data_dir", "/data"]), flags.data_dir
    (['prog'], '/data')
    """
    return DEFINE(str, name, default, help, flag_values, required=required, **args)


def DEFINE_boolean(
    name, default, help, flag_values=FLAGS, module_name=None, required=False, **args
):
    """A boolean flag: ``--name``, ``--noname`` or ``--name=false``."""
    flag = BooleanFlag(name, default, help, **args)
    return DEFINE_flag(flag, flag_values, module_name, required)


DEFINE_bool = DEFINE_boolean


def DEFINE_integer(
    name, default, help, lower_bound=None, upper_bound=None, flag_values=FLAGS,
    required=False, **args,
):  # fmt: skip
    """An integer flag, optionally bounded (``lower_bound <= value <= upper_bound``).

    Examples
    --------
    >>> flags = FlagValues()
    >>> _ = DEFINE_integer("batch", 32, "batch size", lower_bound=1, flag_values=flags)
    >>> flags(["prog", "--batch=0"])
    Traceback (most recent call last):
    ...
    runtime.flags.IllegalFlagValueError: flag --batch=0: 0 is not a positive integer
    """
    parse = _bounded(_parse_int, "an integer", lower_bound, upper_bound)
    return DEFINE(parse, name, default, help, flag_values, required=required, **args)


def DEFINE_float(
    name, default, help, lower_bound=None, upper_bound=None, flag_values=FLAGS,
    required=False, **args,
):  # fmt: skip
    """A float flag, optionally bounded."""
    parse = _bounded(float, "a number", lower_bound, upper_bound)
    return DEFINE(parse, name, default, help, flag_values, required=required, **args)


def DEFINE_enum(
    name, default, enum_values, help, flag_values=FLAGS, module_name=None, required=False,
    **args,
):  # fmt: skip
    """A flag whose value is one of the strings ``enum_values``."""
    flag = EnumFlag(name, default, help, enum_values, **args)
    return DEFINE_flag(flag, flag_values, module_name, required)


def DEFINE_enum_class(
    name, default, enum_class, help, flag_values=FLAGS, module_name=None,
    case_sensitive=False, required=False, **args,
):  # fmt: skip
    """A flag whose value is a member of ``enum_class``, given by its name."""
    flag = EnumClassFlag(name, default, help, enum_class, case_sensitive=case_sensitive, **args)
    return DEFINE_flag(flag, flag_values, module_name, required)


def DEFINE_list(name, default, help, flag_values=FLAGS, required=False, **args):
    """A comma-separated list of strings (``--ids=a,b,c``)."""
    return DEFINE(_parse_list(","), name, default, help, flag_values, required=required, **args)


def DEFINE_spaceseplist(
    name, default, help, comma_compat=False, flag_values=FLAGS, required=False, **args
):
    """A whitespace-separated list of strings (commas too, with ``comma_compat``)."""
    parse = _parse_list(None) if comma_compat else (lambda text: _split_words(text))
    return DEFINE(parse, name, default, help, flag_values, required=required, **args)


def _split_words(text):
    return list(text) if isinstance(text, list | tuple) else str(text).split()


def DEFINE_multi(
    parser, serializer, name, default, help, flag_values=FLAGS, module_name=None,
    required=False, **args,
):  # fmt: skip
    """A flag given any number of times, each value read by ``parser``."""
    flag = MultiFlag(parser, serializer, name, default, help, **args)
    return DEFINE_flag(flag, flag_values, module_name, required)


def DEFINE_multi_string(name, default, help, flag_values=FLAGS, required=False, **args):
    """Strings, one per occurrence: ``--file=a --file=b`` gives ``['a', 'b']``.

    Examples
    --------
    >>> flags = FlagValues()
    >>> _ = DEFINE_multi_string("file", [], "input files", flag_values=flags)
    >>> _ = flags(["prog", "--file=a", "--file", "b"])
    >>> flags.file
    ['a', 'b']
    """
    return DEFINE_multi(str, None, name, default, help, flag_values, required=required, **args)


def DEFINE_multi_integer(
    name, default, help, lower_bound=None, upper_bound=None, flag_values=FLAGS,
    required=False, **args,
):  # fmt: skip
    """Integers, one per occurrence."""
    parse = _bounded(_parse_int, "an integer", lower_bound, upper_bound)
    return DEFINE_multi(parse, None, name, default, help, flag_values, required=required, **args)


def DEFINE_multi_float(
    name, default, help, lower_bound=None, upper_bound=None, flag_values=FLAGS,
    required=False, **args,
):  # fmt: skip
    """Floats, one per occurrence."""
    parse = _bounded(float, "a number", lower_bound, upper_bound)
    return DEFINE_multi(parse, None, name, default, help, flag_values, required=required, **args)


def DEFINE_multi_enum(
    name, default, enum_values, help, flag_values=FLAGS, case_sensitive=True,
    required=False, **args,
):  # fmt: skip
    """Members of ``enum_values``, one per occurrence."""
    parse = _parse_enum(list(enum_values), case_sensitive)
    return DEFINE_multi(parse, None, name, default, help, flag_values, required=required, **args)


def DEFINE_multi_enum_class(
    name, default, enum_class, help, flag_values=FLAGS, module_name=None,
    case_sensitive=False, required=False, **args,
):  # fmt: skip
    """Members of ``enum_class``, one per occurrence."""
    flag = MultiEnumClassFlag(name, default, help, enum_class, case_sensitive)
    return DEFINE_flag(flag, flag_values, module_name, required)


def DEFINE_alias(name, original_name, flag_values=FLAGS, module_name=None):
    """Make ``--name`` another spelling of ``--original_name``."""
    if original_name not in flag_values:
        raise UnrecognizedFlagError(original_name)
    flag_values._flags[name] = flag_values[original_name]
    return flag_values[original_name]


# -- validators -----------------------------------------------------------------------


def register_validator(flag_name, checker, message="Flag validation failed", flag_values=FLAGS):
    """Refuse values of ``flag_name`` for which ``checker(value)`` is false.

    Examples
    --------
    >>> flags = FlagValues()
    >>> _ = DEFINE_integer("workers", 2, "workers", flag_values=flags)
    >>> register_validator("workers", lambda n: n % 2 == 0, "must be even", flags)
    >>> flags(["prog", "--workers=3"])
    Traceback (most recent call last):
    ...
    runtime.flags.IllegalFlagValueError: flag --workers=3: must be even
    """
    flag_values.add_validator([flag_name], checker, message)


def validator(flag_name, message="Flag validation failed", flag_values=FLAGS):
    """:func:`register_validator` as a decorator of the checker."""

    def decorate(checker):
        register_validator(flag_name, checker, message, flag_values)
        return checker

    return decorate


def register_multi_flags_validator(
    flag_names, multi_flags_checker, message="Flags validation failed", flag_values=FLAGS
):
    """Refuse values for which ``checker({name: value ...})`` is false."""
    names = list(flag_names)
    check = multi_flags_checker
    flag_values.add_validator(
        names, check if len(names) > 1 else lambda v: check({names[0]: v}), message
    )


def multi_flags_validator(flag_names, message="Flag validation failed", flag_values=FLAGS):
    """:func:`register_multi_flags_validator` as a decorator of the checker."""

    def decorate(checker):
        register_multi_flags_validator(flag_names, checker, message, flag_values)
        return checker

    return decorate


def mark_flag_as_required(flag_name, flag_values=FLAGS):
    """Parsing fails unless ``flag_name`` gets a value other than ``None``."""
    register_validator(
        flag_name,
        lambda value: value is not None,
        f"Flag --{flag_name} must have a value other than None.",
        flag_values,
    )


def mark_flags_as_required(flag_names, flag_values=FLAGS):
    """:func:`mark_flag_as_required` for each name."""
    for name in flag_names:
        mark_flag_as_required(name, flag_values)


def mark_flags_as_mutual_exclusive(flag_names, required=False, flag_values=FLAGS):
    """At most one of ``flag_names`` (exactly one if ``required``) may be other than ``None``."""
    names = list(flag_names)

    def check(values: dict) -> bool:
        count = sum(value is not None for value in values.values())
        return count == 1 if required else count <= 1

    which = "exactly" if required else "at most"
    message = f"{which} one of ({', '.join(names)}) must have a value other than None."
    flag_values.add_validator(names, check if len(names) > 1 else lambda v: check({0: v}), message)


def mark_bool_flags_as_mutual_exclusive(flag_names, required=False, flag_values=FLAGS):
    """At most one of the boolean ``flag_names`` (exactly one if ``required``) may be true."""
    names = list(flag_names)

    def check(values: dict) -> bool:
        count = sum(bool(value) for value in values.values())
        return count == 1 if required else count <= 1

    which = "exactly" if required else "at most"
    message = f"{which} one of ({', '.join(names)}) must be True."
    flag_values.add_validator(names, check if len(names) > 1 else lambda v: check({0: v}), message)


def set_default(flag_holder, value) -> None:
    """Change a defined flag's default (``flag_holder`` is what ``DEFINE_*`` returned)."""
    flag_holder.default = flag_holder._convert(value)
    if flag_holder.using_default_value:
        flag_holder.value = flag_holder.default


def override_value(flag_holder, value) -> None:
    """Set a defined flag's value as if parsed (validators do not run)."""
    flag_holder.value = value
    flag_holder.using_default_value = False
