"""Checks the exports `decomposer submit --format zip --format pptx` saved beside a job's layers,
with readers that are not the project's: Python's zipfile and Info-ZIP's `unzip -t` for the ZIP,
python-pptx for the PPTX, and LibreOffice (headless) rendering the slide to a PNG that must match
the alpha-composite of the layers (PSNR >= 30 dB).

Usage: export_check.py FOLDER   (FOLDER holds layer_0.png ..., <job>.zip and <job>.pptx)
Prints one line per check and a last line `export-check: N passed, N failed`; exit 1 on a failure.
"""
import glob
import hashlib
import io
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

from PIL import Image, ImageChops, ImageStat
from pptx import Presentation

results = {"passed": 0, "failed": 0}
EMU_PER_PIXEL = 9525


def record(ok, what):
    results["passed" if ok else "failed"] += 1
    print(("ok   " if ok else "FAIL ") + what, flush=True)


def finish():
    print(f"export-check: {results['passed']} passed, {results['failed']} failed")
    sys.exit(1 if results["failed"] else 0)


def layers_in(folder):
    paths = sorted(glob.glob(os.path.join(folder, "layer_*.png")), key=lambda p: int(p.rsplit("_", 1)[1][:-4]))
    return [open(p, "rb").read() for p in paths]


def check_zip(path, layers):
    test = subprocess.run(["unzip", "-t", path], capture_output=True, text=True)
    record(test.returncode == 0, f"unzip -t {os.path.basename(path)}")
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        expected = {f"layer_{i}.png" for i in range(len(layers))} | {"manifest.json"}
        record(names == expected, f"zip entries are the {len(layers)} layers and manifest.json ({sorted(names)})")
        manifest = json.loads(archive.read("manifest.json"))
        record(manifest.get("layer_order") == [f"layer_{i}.png" for i in range(len(layers))], "manifest layer order")
        for i, original in enumerate(layers):
            name = f"layer_{i}.png"
            entry = next((e for e in manifest.get("layers", []) if e.get("file") == name), {})
            record(archive.read(name) == original, f"{name} byte for byte")
            record(entry.get("sha256") == hashlib.sha256(original).hexdigest(), f"{name} sha256 in the manifest")
            size = Image.open(io.BytesIO(original)).size
            record(
                (entry.get("size_bytes"), entry.get("width"), entry.get("height")) == (len(original), *size),
                f"{name} size and dimensions in the manifest",
            )


def composite(layers):
    """The layers stacked in order (layer 0 at the back) over the slide's white background."""
    images = [Image.open(io.BytesIO(data)).convert("RGBA") for data in layers]
    canvas = Image.new("RGBA", images[0].size, (255, 255, 255, 255))
    for image in images:
        canvas = Image.alpha_composite(canvas, image)
    return canvas.convert("RGB")


def psnr(a, b):
    difference = ImageChops.difference(a, b)
    mse = sum(v * v for v in ImageStat.Stat(difference).rms) / 3
    return math.inf if mse == 0 else 10 * math.log10(255 * 255 / mse)


def check_pptx(path, layers):
    presentation = Presentation(path)
    width, height = Image.open(io.BytesIO(layers[0])).size
    record(
        (presentation.slide_width, presentation.slide_height) == (width * EMU_PER_PIXEL, height * EMU_PER_PIXEL),
        f"slide size is the poster's {width}x{height} px at 96 dpi",
    )
    record(len(presentation.slides) == 1, "one slide")
    pictures = [s for s in presentation.slides[0].shapes if s.shape_type == 13]  # MSO_SHAPE_TYPE.PICTURE
    record(len(pictures) == len(layers), f"{len(layers)} pictures (found {len(pictures)})")
    record([p.image.blob for p in pictures] == layers, "pictures are the layers, in order (layer 0 at the back)")
    record(
        all((p.left, p.top, p.width, p.height) == (0, 0, presentation.slide_width, presentation.slide_height) for p in pictures),
        "every picture covers the whole slide",
    )
    if shutil.which("soffice") is None:
        print("export-check: LibreOffice render skipped: soffice is not installed (scripts/install-deps.sh libreoffice-impress)")
        return
    with tempfile.TemporaryDirectory() as work:
        profile = "file://" + os.path.join(work, "profile")
        render = subprocess.run(
            ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "png", "--outdir", work, path],
            capture_output=True, text=True, timeout=180,
        )
        rendered = os.path.join(work, os.path.splitext(os.path.basename(path))[0] + ".png")
        ok = render.returncode == 0 and os.path.exists(rendered)
        record(ok, "LibreOffice renders the slide" + ("" if ok else f" ({render.stderr.strip()[:300]})"))
        if not os.path.exists(rendered):
            return
        image = Image.open(rendered).convert("RGB")
        expected = composite(layers).resize(image.size, Image.LANCZOS)
        value = psnr(image, expected)
        record(value >= 30, f"LibreOffice's render matches the layers' composite: PSNR {value:.1f} dB at {image.size[0]}x{image.size[1]}")
        # The comparison can tell stackings apart: the background alone must match clearly worse.
        background = composite(layers[:1]).resize(image.size, Image.LANCZOS)
        record(psnr(image, background) < min(value, 30), f"the background alone does not match ({psnr(image, background):.1f} dB)")


def main():
    folder = sys.argv[1]
    layers = layers_in(folder)
    record(len(layers) >= 2, f"{len(layers)} layers downloaded")
    for pattern, check in (("*.zip", check_zip), ("*.pptx", check_pptx)):
        found = glob.glob(os.path.join(folder, pattern))
        record(len(found) == 1, f"one {pattern} export downloaded")
        if found:
            check(found[0], layers)
    finish()


if __name__ == "__main__":
    main()
