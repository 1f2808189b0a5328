// jsdom has no DragEvent, which @lumino/dragdrop subclasses when it loads.
(globalThis as any).DragEvent ??= class DragEvent extends MouseEvent {};
