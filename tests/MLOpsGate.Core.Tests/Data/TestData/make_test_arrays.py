#!/usr/bin/env python3
"""Writes the small array files the Data tests read. Run from anywhere with numpy installed:

    python3 make_test_arrays.py

The outputs are committed; re-running must give the same values (the tests assert them).
"""
import json
import os
import struct

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def path(name):
    return os.path.join(HERE, name)


def write_npy(name, arr, version=None):
    with open(path(name), "wb") as f:
        np.lib.format.write_array(f, arr, version=version, allow_pickle=False)


def f32_matrix():
    # 3 x 4, exactly representable values
    return (np.arange(12, dtype=np.float32).reshape(3, 4) * np.float32(0.5) - np.float32(1.25)).astype(np.float32)


def main():
    # --- .npy ---
    np.save(path("f32_c.npy"), f32_matrix())                                   # v1.0, '<f4', C order
    np.save(path("f64_be.npy"), np.array([[1.5, -2.25, 3.0e10], [1.0e-300, -0.0, 7.0]], dtype=">f8"))
    np.save(path("i64.npy"), np.array([0, -7, 2**40, -(2**62)], dtype="<i8"))
    np.save(path("i32_be.npy"), np.array([[1, -2], [70000, -2**31]], dtype=">i4"))
    np.save(path("bool.npy"), np.array([[True, False, True], [False, False, True]]))
    np.save(path("f32_fortran.npy"), np.asfortranarray(f32_matrix()))         # 2-D Fortran order
    np.save(path("f32_fortran_3d.npy"),
            np.asfortranarray(np.arange(24, dtype=np.float32).reshape(2, 3, 4)))  # 3-D Fortran order
    write_npy("f32_v2.npy", f32_matrix(), version=(2, 0))
    write_npy("f32_v3.npy", f32_matrix(), version=(3, 0))
    np.save(path("f16.npy"), np.array([[0.5, -1.25], [65504.0, 6.103515625e-05]], dtype="<f2"))
    np.save(path("scalar.npy"), np.float64(2.5))                                # 0-d
    np.save(path("empty.npy"), np.zeros((0, 3), dtype=np.float32))
    np.save(path("u3.npy"), np.array(["abc", "de"], dtype="<U3"))               # unsupported
    np.save(path("i2.npy"), np.array([1, 2], dtype="<i2"))                      # unsupported
    np.save(path("structured.npy"), np.zeros(2, dtype=[("x", "<f4"), ("y", "<i4")]))  # unsupported
    with open(path("truncated.npy"), "wb") as f:                                # header says 10 x 4 float32
        np.lib.format.write_array(f, np.ones((10, 4), dtype=np.float32))
    with open(path("truncated.npy"), "r+b") as f:
        f.truncate(os.path.getsize(path("truncated.npy")) - 24)

    # --- .npz: the same arrays stored and deflated; one key holds slashes ---
    arrays = {
        "x": f32_matrix(),
        "/act1/Relu_output_0": np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=np.float32),
        "ids": np.array([[3, 1], [4, 1], [5, 9]], dtype=np.int64),
        "fortran": np.asfortranarray(np.arange(24, dtype=np.float64).reshape(2, 3, 4)),
        "fc2.weight": np.array([[0.25, -0.5, 1.0], [2.0, -4.0, 8.0]], dtype=np.float32),
    }
    np.savez(path("stored.npz"), **arrays)
    np.savez_compressed(path("compressed.npz"), **arrays)

    # --- .safetensors, written by hand ---
    f32 = np.array([[1.0, -2.5, 3.25], [0.125, -0.0, 1.0e-3]], dtype="<f4")
    bf16_values = np.array([1.5, -2.0, 0.15625, 256.0, -0.0078125, 3.0], dtype="<f4")
    bf16 = (bf16_values.view("<u4") >> 16).astype("<u2")                        # exact: low 16 bits are zero
    f16 = np.array([0.5, -1.25, 65504.0, 6.103515625e-05], dtype="<f2")
    i64 = np.array([1, -2, 2**40], dtype="<i8")
    blobs = [("fc1.weight", "F32", [2, 3], f32.tobytes()),
             ("fc1.bias", "BF16", [6], bf16.tobytes()),
             ("fc2.weight", "F16", [2, 2], f16.tobytes()),
             ("step", "I64", [3], i64.tobytes()),
             ("mask", "U8", [2], bytes([1, 0]))]
    header = {"__metadata__": {"format": "pt"}}
    data = b""
    for name, dtype, shape, raw in blobs:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * (-len(header_bytes) % 8)
    with open(path("weights.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(header_bytes)) + header_bytes + data)
    # the same, but the last tensor's offsets run past the end of the data
    bad = dict(header)
    bad["mask"] = {"dtype": "U8", "shape": [2], "data_offsets": [len(data) - 2, len(data) + 6]}
    bad_bytes = json.dumps(bad, separators=(",", ":")).encode("utf-8")
    with open(path("bad_offsets.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(bad_bytes)) + bad_bytes + data)

    # --- JSON ---
    with open(path("calib.json"), "w") as f:
        json.dump({"x": f32_matrix().tolist(),
                   "ids": [[3, 1], [4, 1], [5, 9]],
                   "flags": [True, False]}, f, indent=1)
        f.write("\n")
    with open(path("ragged.json"), "w") as f:
        json.dump({"x": [[1.0, 2.0], [3.0]]}, f)
        f.write("\n")
    with open(path("stats.json"), "w") as f:
        json.dump({"fc2.weight": {"mean": [0.5, -1.0, 0.0], "std": [1.25, 0.5, 0.0]},
                   "/act1/Relu_output_0": {"mean": [2.0], "std": [3.0]}}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
