"""``tf.compat.v1.gfile``: the same file functions as ``tf.io.gfile``, under TF1's names.

Examples
--------
>>> import os, tempfile
>>> import runtime as tf
>>> root = tempfile.mkdtemp()
>>> tf.compat.v1.gfile.MakeDirs(os.path.join(root, "a", "b"))
>>> tf.compat.v1.gfile.Exists(os.path.join(root, "a")), tf.compat.v1.gfile.ListDirectory(root)
(True, ['a'])
"""

from .gfile import (
    GFile,
    copy,
    exists,
    glob,
    isdir,
    listdir,
    makedirs,
    mkdir,
    remove,
    rename,
    rmtree,
    stat,
    walk,
)

Copy = copy
DeleteRecursively = rmtree
Exists = exists
FastGFile = GFile
Glob = glob
IsDirectory = isdir
ListDirectory = listdir
MakeDirs = makedirs
MkDir = mkdir
Open = GFile
Remove = remove
Rename = rename
Stat = stat
Walk = walk

__all__ = [
    "Copy",
    "DeleteRecursively",
    "Exists",
    "FastGFile",
    "GFile",
    "Glob",
    "IsDirectory",
    "ListDirectory",
    "MakeDirs",
    "MkDir",
    "Open",
    "Remove",
    "Rename",
    "Stat",
    "Walk",
]
