"""Catalogue of `solutions/layers/04_fast_layers.ipynb`: im2col convolution, fast pooling,
transposed convolution.

The reference transposed convolution is built from the student's own conv_forward_fast /
conv_backward_fast, so a variant that breaks the backward pass's dx also fails
`conv_transpose_values` (one that breaks only the forward pass does not: the transposed
convolution uses the forward pass on zeros just to get a cache). The pooling tests use inputs without ties, so tie policies are
not in the catalogue.
"""

from catalogue import NotebookCatalogue, correct, swap, wrong

CONV_F, CONV_B = "conv_forward_values", "conv_backward_gradcheck"
POOL_F, POOL_B = "max_pool_forward_values", "max_pool_backward_gradcheck"
TRANSPOSE = "conv_transpose_values"

# --- building blocks of the variants (the code between the solution markers) -------------

# im2col in CS231n's layout: cols (C*HH*WW, N*H'*W'), channels first, with sliding_window_view.
FORWARD_SWV = """\
stride, pad = conv_param["stride"], conv_param["pad"]
N, C, H, W = x.shape
F, _, HH, WW = w.shape
x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
win = sliding_window_view(x_pad, (HH, WW), axis=(2, 3))[:, :, ::stride, ::stride]  # (N, C, H', W', HH, WW)
H_out, W_out = win.shape[2], win.shape[3]
cols = win.transpose(1, 4, 5, 0, 2, 3).reshape(C * HH * WW, N * H_out * W_out)
out = (w.reshape(F, -1) @ cols + b[:, None]).reshape(F, N, H_out, W_out).transpose(1, 0, 2, 3)
cache = (x, w, conv_param, cols)"""

BACKWARD_SWV = """\
x, w, conv_param, cols = cache
stride, pad = conv_param["stride"], conv_param["pad"]
N, C, H, W = x.shape
F, _, HH, WW = w.shape
H_out, W_out = dout.shape[2], dout.shape[3]
dout_mat = dout.transpose(1, 0, 2, 3).reshape(F, -1)  # (F, N*H'*W')
db = dout_mat.sum(axis=1)
dw = (dout_mat @ cols.T).reshape(w.shape)
dcols = (w.reshape(F, -1).T @ dout_mat).reshape(C, HH, WW, N, H_out, W_out)
dx_pad = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
for k in range(HH):
    for l in range(WW):
        dx_pad[:, :, k:k + stride * H_out:stride, l:l + stride * W_out:stride] += dcols[:, k, l].transpose(1, 0, 2, 3)
dx = dx_pad[:, :, pad:pad + H, pad:pad + W]"""

# as_strided, channels first, rows per output pixel: cols (N*H'*W', C*HH*WW).
FORWARD_AS_STRIDED = """\
stride, pad = conv_param["stride"], conv_param["pad"]
N, C, H, W = x.shape
F, _, HH, WW = w.shape
H_out = 1 + (H + 2 * pad - HH) // stride
W_out = 1 + (W + 2 * pad - WW) // stride
x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
sN, sC, sH, sW = x_pad.strides
win = as_strided(x_pad, (N, H_out, W_out, C, HH, WW), (sN, stride * sH, stride * sW, sC, sH, sW))
cols = win.reshape(N * H_out * W_out, C * HH * WW)
out = (cols @ w.reshape(F, -1).T + b).reshape(N, H_out, W_out, F).transpose(0, 3, 1, 2)
cache = (x, w, conv_param, cols)"""

BACKWARD_AS_STRIDED = """\
x, w, conv_param, cols = cache
stride, pad = conv_param["stride"], conv_param["pad"]
N, C, H, W = x.shape
F, _, HH, WW = w.shape
H_out, W_out = dout.shape[2], dout.shape[3]
d = dout.transpose(0, 2, 3, 1).reshape(-1, F)  # (N*H'*W', F)
db = d.sum(axis=0)
dw = (d.T @ cols).reshape(w.shape)
dcols = (d @ w.reshape(F, -1)).reshape(N, H_out, W_out, C, HH, WW)
dx_pad = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
for k in range(HH):
    for l in range(WW):
        dx_pad[:, :, k:k + stride * H_out:stride, l:l + stride * W_out:stride] += dcols[..., k, l].transpose(0, 3, 1, 2)
dx = dx_pad[:, :, pad:pad + H, pad:pad + W]"""

# Pooling with a window view and a boolean mask (the first maximum of each window).
POOL_FORWARD_MASK = """\
ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
win = sliding_window_view(x, (ph, pw), axis=(2, 3))[:, :, ::s, ::s]  # (N, C, H', W', ph, pw)
out = win.max(axis=(4, 5))
cache = (x, pool_param)"""

POOL_BACKWARD_ARGMAX = """\
x, pool_param = cache
ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
win = sliding_window_view(x, (ph, pw), axis=(2, 3))[:, :, ::s, ::s]
N, C, H_out, W_out = dout.shape
first = win.reshape(N, C, H_out, W_out, ph * pw).argmax(axis=4)
dx = np.zeros(x.shape)
for k in range(ph):
    for l in range(pw):
        dx[:, :, k:k + s * H_out:s, l:l + s * W_out:s] += np.where(first == k * pw + l, dout, 0.0)"""

# The transposed convolution written directly: dilate, pad, flip, swap channel axes.
TRANSPOSE_DIRECT = """\
stride, pad = conv_param["stride"], conv_param["pad"]
N, C_in, H, W = x.shape
_, F_out, HH, WW = w.shape
x_dil = np.zeros((N, C_in, (H - 1) * stride + 1, (W - 1) * stride + 1))
x_dil[:, :, ::stride, ::stride] = x
w_conv = w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)
x_dil = np.pad(x_dil, ((0, 0), (0, 0), (HH - 1 - pad, HH - 1 - pad), (WW - 1 - pad, WW - 1 - pad)))
out, _ = conv_forward_fast(x_dil, w_conv, b, {"stride": 1, "pad": 0})"""


WRONG = [
    wrong("im2col_channel_order_swapped",
          "flattens the windows as (c, k, l) but the weights as (k, l, c): the filters meet the wrong pixels",
          {CONV_F, CONV_B},
          conv_forward_fast_impl=swap(FORWARD_AS_STRIDED, "cols @ w.reshape(F, -1).T",
                                      "cols @ w.transpose(0, 2, 3, 1).reshape(F, -1).T"),
          conv_backward_fast_impl=BACKWARD_AS_STRIDED),
    wrong("im2col_ignores_stride",
          "takes every window (stride 1) but sizes the output for the stride",
          {CONV_F, CONV_B},
          conv_forward_fast_impl=swap(FORWARD_AS_STRIDED, "(sN, stride * sH, stride * sW, sC, sH, sW)",
                                      "(sN, sH, sW, sC, sH, sW)"),
          conv_backward_fast_impl=BACKWARD_AS_STRIDED),
    wrong("col2im_overwrites",
          "assigns each kernel offset's gradient instead of adding: overlapping windows lose all but the last",
          {CONV_B, TRANSPOSE},
          conv_forward_fast_impl=FORWARD_AS_STRIDED,
          conv_backward_fast_impl=swap(BACKWARD_AS_STRIDED, "] += dcols", "] = dcols")),
    wrong("dx_padding_not_stripped",
          "returns the gradient of the padded input",
          {CONV_B, TRANSPOSE},
          conv_forward_fast_impl=FORWARD_AS_STRIDED,
          conv_backward_fast_impl=swap(BACKWARD_AS_STRIDED, "dx = dx_pad[:, :, pad:pad + H, pad:pad + W]", "dx = dx_pad")),
    wrong("db_wrong_axes",
          "sums dout over the filters instead of over the images and pixels",
          {CONV_B},
          conv_forward_fast_impl=FORWARD_AS_STRIDED,
          conv_backward_fast_impl=swap(BACKWARD_AS_STRIDED, "db = d.sum(axis=0)", "db = dout.sum(axis=(0, 1))")),
    wrong("dw_not_unflattened",
          "reshapes dw from the (c, k, l) columns as if they were (k, l, c)",
          {CONV_B},
          conv_forward_fast_impl=FORWARD_AS_STRIDED,
          conv_backward_fast_impl=swap(BACKWARD_AS_STRIDED, "dw = (d.T @ cols).reshape(w.shape)",
                                       "dw = (d.T @ cols).reshape(F, HH, WW, C).transpose(0, 3, 1, 2)")),
    wrong("pool_reshape_for_overlapping_windows",
          "takes the reshape path whenever the sizes divide by the window, even when the stride is smaller",
          {POOL_F, POOL_B},
          max_pool_forward_fast_impl="""\
ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
N, C, H, W = x.shape
if H % ph == 0 and W % pw == 0:
    out = x.reshape(N, C, H // ph, ph, W // pw, pw).max(axis=(3, 5))
else:
    out = sliding_window_view(x, (ph, pw), axis=(2, 3))[:, :, ::s, ::s].max(axis=(4, 5))
cache = (x, pool_param, out)""",
          max_pool_backward_fast_impl="""\
x, pool_param, out = cache
ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
N, C, H, W = x.shape
H_out, W_out = out.shape[2], out.shape[3]
dx = np.zeros(x.shape)
if H % ph == 0 and W % pw == 0:
    tiles = x.reshape(N, C, H_out, ph, W_out, pw)
    mask = tiles == out[:, :, :, None, :, None]
    dx = (mask * dout[:, :, :, None, :, None]).reshape(x.shape)
else:
    for k in range(ph):
        for l in range(pw):
            sl = (slice(None), slice(None), slice(k, k + s * H_out, s), slice(l, l + s * W_out, s))
            dx[sl] += (x[sl] == out) * dout"""),
    wrong("pool_gradient_to_whole_window",
          "sends dout to every pixel of the window, not only to the maximum",
          {POOL_B},
          max_pool_backward_fast_impl="""\
x, out, pool_param = cache
ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
H_out, W_out = dout.shape[2], dout.shape[3]
dx = np.zeros(x.shape)
for k in range(ph):
    for l in range(pw):
        dx[:, :, k:k + s * (H_out - 1) + 1:s, l:l + s * (W_out - 1) + 1:s] += dout"""),
    wrong("pool_backward_overlap_overwrites",
          "assigns the routed gradient per window offset: a pixel that is the maximum of two windows keeps one",
          {POOL_B},
          max_pool_forward_fast_impl=POOL_FORWARD_MASK,
          max_pool_backward_fast_impl=swap(POOL_BACKWARD_ARGMAX, "] += np.where(first == k * pw + l, dout, 0.0)",
                                           "] = np.where(first == k * pw + l, dout, 0.0)")),
    wrong("transpose_kernel_not_flipped",
          "convolves the dilated input with the kernel as it is: correlation instead of its transpose",
          {TRANSPOSE},
          conv_transpose_forward_impl=swap(TRANSPOSE_DIRECT, "w[:, :, ::-1, ::-1]", "w")),
    wrong("transpose_dilates_by_stride",
          "inserts `stride` zeros between pixels instead of `stride - 1`",
          {TRANSPOSE},
          conv_transpose_forward_impl=swap(swap(TRANSPOSE_DIRECT, "(H - 1) * stride + 1, (W - 1) * stride + 1",
                                                "H * (stride + 1) - stride, W * (stride + 1) - stride"),
                                           "x_dil[:, :, ::stride, ::stride] = x", "x_dil[:, :, ::stride + 1, ::stride + 1] = x")),
]

CORRECT = [
    correct("as_strided_channels_first",
            "as_strided windows in (N, H', W', C, HH, WW) order, cols (N*H'*W', C*HH*WW); argmax pooling",
            conv_forward_fast_impl=FORWARD_AS_STRIDED,
            conv_backward_fast_impl=BACKWARD_AS_STRIDED,
            max_pool_forward_fast_impl=POOL_FORWARD_MASK,
            max_pool_backward_fast_impl=POOL_BACKWARD_ARGMAX),
    correct("sliding_window_view_cs231n_layout",
            "sliding_window_view and CS231n's cols (C*HH*WW, N*H'*W'); transposed conv written directly",
            conv_forward_fast_impl=FORWARD_SWV,
            conv_backward_fast_impl=BACKWARD_SWV,
            conv_transpose_forward_impl=TRANSPOSE_DIRECT),
    correct("float64_everywhere",
            "casts every input to float64 first: float64 outputs for float32 inputs",
            conv_forward_fast_impl="x, w, b = (np.asarray(a, dtype=np.float64) for a in (x, w, b))\n" + FORWARD_AS_STRIDED,
            conv_backward_fast_impl="dout = np.asarray(dout, dtype=np.float64)\n" + BACKWARD_AS_STRIDED,
            max_pool_forward_fast_impl="x = np.asarray(x, dtype=np.float64)\n" + POOL_FORWARD_MASK,
            max_pool_backward_fast_impl=POOL_BACKWARD_ARGMAX,
            conv_transpose_forward_impl="x, w, b = (np.asarray(a, dtype=np.float64) for a in (x, w, b))\n"
            + TRANSPOSE_DIRECT),
]

CATALOGUE = NotebookCatalogue(
    assignment="layers",
    notebook="04_fast_layers.ipynb",
    points={CONV_F: 3, CONV_B: 4, POOL_F: 2, POOL_B: 3, TRANSPOSE: 3},
    wrong=WRONG,
    correct=CORRECT,
    requires=("02_normalization.ipynb", "03_convolution.ipynb"),
)
