#!/usr/bin/env python3
"""Checks a PSD with an independent reader, psd-tools (PyPI), against the PNG layers it was made from.

    psd-check.py FILE.psd --layer NAME PNG [--layer NAME PNG ...]

Layers bottom first, as in the file. Checks: N layers with those names, each the PNG's size at
(0, 0), visible, normal blending, opacity 255, and its RGBA pixels (alpha included) equal to the
PNG's; the flat composite (what a viewer that reads only the merged image shows) equal to the
alpha-composite ("over", straight alpha) of the PNGs within rounding: at most 2 levels per channel
in premultiplied colour and in alpha (a straight colour under alpha 1/255 is not defined to within
rounding, so colour is compared multiplied by its alpha); and psd-tools' own compositing of the
layers agrees with it within one level more (psd-tools truncates its float result to 8 bits). Exits 1 naming every failed check, 0 with "psd-check: ok".
"""
import argparse
import sys

import numpy as np
from PIL import Image
from psd_tools import PSDImage

TOLERANCE = 2
failures = 0


def record(ok, what):
    global failures
    if not ok:
        failures += 1
    print(("ok   " if ok else "FAIL ") + what)
    return ok


def over(pngs):
    """Straight-alpha "over" of RGBA uint8 arrays, bottom first, in float: (colour, alpha) in 0...1."""
    color = np.zeros(pngs[0].shape[:2] + (3,))
    alpha = np.zeros(pngs[0].shape[:2] + (1,))
    for png in pngs:
        a = png[:, :, 3:4] / 255.0
        color = png[:, :, :3] / 255.0 * a + color * (1 - a)  # premultiplied
        alpha = a + alpha * (1 - a)
    return color, alpha


def compare_composite(name, rgba, color, alpha, tolerance=TOLERANCE):
    """rgba: straight uint8 RGBA from psd-tools; compared premultiplied, in levels of 255."""
    got_alpha = rgba[:, :, 3:4] / 255.0
    got_color = rgba[:, :, :3] / 255.0 * got_alpha
    color_diff = np.abs(got_color - color).max() * 255
    alpha_diff = np.abs(got_alpha - alpha).max() * 255
    record(color_diff <= tolerance and alpha_diff <= tolerance,
           f"{name}: premultiplied colour off by {color_diff:.2f}, alpha by {alpha_diff:.2f} (at most {tolerance})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("psd")
    parser.add_argument("--layer", nargs=2, action="append", metavar=("NAME", "PNG"), required=True)
    args = parser.parse_args()
    pngs = [np.asarray(Image.open(path).convert("RGBA")) for _, path in args.layer]
    height, width = pngs[0].shape[:2]

    psd = PSDImage.open(args.psd)
    record(psd.size == (width, height), f"canvas {psd.size}, expected {(width, height)}")
    record(psd.color_mode == 3 and psd.depth == 8, f"colour mode {psd.color_mode}, depth {psd.depth}: RGB, 8 bits")
    layers = list(psd)
    record(len(layers) == len(pngs), f"{len(layers)} layers, expected {len(pngs)}")
    for layer, (name, path), png in zip(layers, args.layer, pngs):
        record(layer.name == name, f"layer name {layer.name!r}, expected {name!r}")
        record(layer.kind == "pixel", f"{name}: kind {layer.kind}")
        record(layer.offset == (0, 0) and layer.size == (width, height),
               f"{name}: at {layer.offset}, {layer.size}; expected (0, 0), {(width, height)}")
        record(layer.visible and layer.opacity == 255 and layer.blend_mode.name == "NORMAL",
               f"{name}: visible {layer.visible}, opacity {layer.opacity}, blend {layer.blend_mode.name}")
        image = layer.topil()
        if not record(image is not None and image.mode == "RGBA",
                      f"{name}: pixels as RGBA ({image.mode if image else None})"):
            continue
        pixels = np.asarray(image)
        differing = int(np.count_nonzero(np.any(pixels != png, axis=2))) if pixels.shape == png.shape else -1
        record(differing == 0, f"{name}: RGBA pixels equal to {path} ({differing} differ)")

    color, alpha = over(pngs)
    merged = psd.topil()
    if record(merged is not None and merged.mode == "RGBA",
              f"merged image present, with transparency ({merged.mode if merged else None})"):
        compare_composite("merged image", np.asarray(merged), color, alpha)
    rendered = psd.composite(ignore_preview=True, force=True)
    compare_composite("psd-tools' compositing of the layers", np.asarray(rendered.convert("RGBA")), color, alpha,
                      TOLERANCE + 1)

    if failures:
        print(f"psd-check: {failures} check(s) failed for {args.psd}", file=sys.stderr)
        sys.exit(1)
    print("psd-check: ok")


if __name__ == "__main__":
    main()
