/**
 * What a person has done to one drawn graph: which groups are open, the
 * colouring, the selection, the search and the camera. Plain data and pure
 * camera arithmetic; the renderer (widget.ts) reads and updates it.
 */

import { ColorBy, ITFGraphPayload } from './payload';

/** Zoom below which labels no longer read; fitting never goes further out. */
export const MIN_READABLE_SCALE = 0.55;

/** Zoom bounds for the buttons and the wheel. */
export const MIN_SCALE = 0.05;
export const MAX_SCALE = 8;

/** Where the drawing sits in the canvas: screen = pan + scale * drawing. */
export interface ICamera {
  scale: number;
  panX: number;
  panY: number;
}

/** The state of one view of a payload. */
export class ViewState {
  constructor(payload: ITFGraphPayload) {
    this.expanded = new Set(payload.expanded);
    this.colorBy = payload.color_by;
  }

  /** Ids of the open groups. */
  expanded: Set<string>;
  colorBy: ColorBy;
  /** Name of the selected op. */
  selected: string | null = null;
  /** Whether the selected op's inputs are traced. */
  tracing = false;
  query = '';
  regex = false;
  /** Index into the search's matches of the one shown last (-1: none yet). */
  match = -1;
  camera: ICamera = { scale: 1, panX: 0, panY: 0 };
  /** Whether the camera was set by a person (or a fit) rather than never. */
  placed = false;
}

/**
 * The camera after zooming by `factor` about the canvas point (`x`, `y`), which
 * stays where it is on screen.
 */
export function zoomAt(camera: ICamera, factor: number, x: number, y: number): ICamera {
  const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, camera.scale * factor));
  return {
    scale,
    panX: x - ((x - camera.panX) * scale) / camera.scale,
    panY: y - ((y - camera.panY) * scale) / camera.scale
  };
}

/**
 * The camera that shows a `width` × `height` drawing in a canvas: whole when that
 * reads, else at `MIN_READABLE_SCALE` showing its top middle (`readable` false).
 */
export function fitCamera(
  width: number,
  height: number,
  canvasWidth: number,
  canvasHeight: number,
  margin = 8
): { camera: ICamera; readable: boolean } {
  const whole = Math.min(
    1,
    (canvasWidth - 2 * margin) / Math.max(width, 1),
    (canvasHeight - 2 * margin) / Math.max(height, 1)
  );
  const scale = Math.max(whole, MIN_READABLE_SCALE);
  const panX = (canvasWidth - width * scale) / 2;
  return {
    camera: { scale, panX: scale === whole ? Math.max(margin, panX) : panX, panY: margin },
    readable: scale === whole
  };
}

/**
 * The camera that puts drawing point (`x`, `y`) at canvas point (`toX`, `toY`)
 * without changing the zoom: how a box stays under the cursor across a re-layout.
 */
export function anchor(camera: ICamera, x: number, y: number, toX: number, toY: number): ICamera {
  return { scale: camera.scale, panX: toX - x * camera.scale, panY: toY - y * camera.scale };
}
