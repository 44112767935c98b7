"""Catalogue of `solutions/layers/03_convolution.ipynb`: naive convolution, pooling and
spatial batch normalization (built on the student's batch norm from notebook 2)."""

from catalogue import NotebookCatalogue, correct, wrong

CONV_FORWARD, CONV_BACKWARD = "conv_forward_values", "conv_backward_gradcheck"
MAX_FORWARD, MAX_BACKWARD = "max_pool_forward_values", "max_pool_backward_gradcheck"
AVG_FORWARD, AVG_BACKWARD = "avg_pool_forward_values", "avg_pool_backward_gradcheck"
SBN_FORWARD, SBN_BACKWARD = "spatial_batchnorm_forward_values", "spatial_batchnorm_backward_gradcheck"

# A body replaces only the code between the markers: the shapes and parameters unpacked
# above them (N, C, H, W, F, HH, WW, stride, pad, H_out, W_out, PH, PW) are in scope.


def conv_forward(size="1 + (H + 2 * pad - HH) // stride", width="1 + (W + 2 * pad - WW) // stride",
                 padding="np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))", kernel="w[f]"):
    """The reference forward loop with one piece swapped for a mistake."""
    return (
        f"H_out = {size}\nW_out = {width}\nx_pad = {padding}\n"
        "out = np.zeros((N, F, H_out, W_out))\n"
        "for n in range(N):\n    for f in range(F):\n        for i in range(H_out):\n            for j in range(W_out):\n"
        "                window = x_pad[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW]\n"
        f"                out[n, f, i, j] = np.sum(window * {kernel}) + b[f]"
    )


def conv_backward(dx_update="dx_pad[n, :, rows, cols] += dout[n, f, i, j] * w[f]",
                  dw_update="dw[f] += dout[n, f, i, j] * x_pad[n, :, rows, cols]",
                  db="dout.sum(axis=(0, 2, 3))", strip="dx_pad[:, :, pad:pad + H, pad:pad + W]"):
    """The reference backward loop with one piece swapped for a mistake."""
    return (
        "x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))\n"
        "dx_pad = np.zeros(x_pad.shape)\ndw = np.zeros(w.shape)\n"
        "for n in range(N):\n    for f in range(F):\n        for i in range(H_out):\n            for j in range(W_out):\n"
        "                rows = slice(i * stride, i * stride + HH)\n"
        "                cols = slice(j * stride, j * stride + WW)\n"
        f"                {dx_update}\n                {dw_update}\n"
        f"db = {db}\ndx = {strip}"
    )


def spatial(forward_in, forward_back):
    """A spatial batch norm forward pass with the given rearrangements in and out."""
    return (
        f"x_rows = {forward_in}\n"
        "out_rows, cache = batchnorm_forward(x_rows, gamma, beta, bn_param)\n"
        f"out = {forward_back}"
    )


def spatial_backward(backward_in, backward_back):
    return (
        f"dout_rows = {backward_in}\n"
        "dx_rows, dgamma, dbeta = batchnorm_backward_alt(dout_rows, cache)\n"
        f"dx = {backward_back}"
    )


WRONG = [
    # -- convolution ------------------------------------------------------------------
    wrong("conv_kernel_flipped",
          "a true convolution (kernel flipped) instead of cross-correlation, consistently in both passes: "
          "the hand-computed example catches the forward pass, torch autograd (hidden) the backward pass",
          {CONV_FORWARD, CONV_BACKWARD},
          conv_forward_naive_impl=conv_forward(kernel="w[f, :, ::-1, ::-1]"),
          conv_backward_naive_impl=conv_backward(
              dx_update="dx_pad[n, :, rows, cols] += dout[n, f, i, j] * w[f, :, ::-1, ::-1]",
              dw_update="dw[f, :, ::-1, ::-1] += dout[n, f, i, j] * x_pad[n, :, rows, cols]")),
    wrong("conv_output_size_rounded_up",
          "rounds H' and W' up when the stride does not divide: the last window runs off the padded image",
          {CONV_FORWARD, CONV_BACKWARD},
          conv_forward_naive_impl=conv_forward(size="1 + int(np.ceil((H + 2 * pad - HH) / stride))",
                                               width="1 + int(np.ceil((W + 2 * pad - WW) / stride))")),
    wrong("conv_dx_padding_not_stripped", "returns the gradient of the padded input, shape (N, C, H + 2P, W + 2P)",
          {CONV_BACKWARD},
          conv_backward_naive_impl=conv_backward(strip="dx_pad")),
    wrong("conv_dx_slice_pad_minus_pad",
          "strips the padding with [pad:-pad], an empty slice when pad == 0: only the hidden pad-0 case sees it",
          {CONV_BACKWARD},
          conv_backward_naive_impl=conv_backward(strip="dx_pad[:, :, pad:-pad, pad:-pad]")),
    wrong("conv_db_wrong_axes", "sums dout over filters and positions instead of examples and positions",
          {CONV_BACKWARD},
          conv_backward_naive_impl=conv_backward(db="dout.sum(axis=(1, 2, 3))")),
    wrong("conv_dx_overwrite", "assigns each window's gradient instead of adding it: overlapping windows lose terms",
          {CONV_BACKWARD},
          conv_backward_naive_impl=conv_backward(dx_update="dx_pad[n, :, rows, cols] = dout[n, f, i, j] * w[f]")),
    # -- max pooling -----------------------------------------------------------------
    wrong("max_pool_ignores_stride",
          "steps by the window size instead of the stride, in both passes: right for the visible 2x2 stride-2 case only",
          {MAX_FORWARD, MAX_BACKWARD},
          max_pool_forward_naive_impl=(
              "H_out, W_out = H // PH, W // PW\nout = np.zeros((N, C, H_out, W_out))\n"
              "for i in range(H_out):\n    for j in range(W_out):\n"
              "        out[:, :, i, j] = x[:, :, i * PH:(i + 1) * PH, j * PW:(j + 1) * PW].max(axis=(2, 3))"),
          max_pool_backward_naive_impl=(
              "dx = np.zeros(x.shape)\n"
              "for n in range(N):\n    for c in range(C):\n        for i in range(H_out):\n            for j in range(W_out):\n"
              "                window = x[n, c, i * PH:(i + 1) * PH, j * PW:(j + 1) * PW]\n"
              "                k, l = np.unravel_index(np.argmax(window), window.shape)\n"
              "                dx[n, c, i * PH + k, j * PW + l] += dout[n, c, i, j]")),
    wrong("max_pool_grad_overwrites_window",
          "writes mask * dout over the whole window: overlapping windows erase each other's gradients (hidden cases)",
          {MAX_BACKWARD},
          max_pool_backward_naive_impl=(
              "dx = np.zeros(x.shape)\n"
              "for n in range(N):\n    for c in range(C):\n        for i in range(H_out):\n            for j in range(W_out):\n"
              "                rows = slice(i * stride, i * stride + PH)\n"
              "                cols = slice(j * stride, j * stride + PW)\n"
              "                window = x[n, c, rows, cols]\n"
              "                dx[n, c, rows, cols] = (window == window.max()) * dout[n, c, i, j]")),
    wrong("max_pool_grad_to_whole_window", "sends dout to every entry of the window, not just the maximum",
          {MAX_BACKWARD},
          max_pool_backward_naive_impl=(
              "dx = np.zeros(x.shape)\n"
              "for i in range(H_out):\n    for j in range(W_out):\n"
              "        dx[:, :, i * stride:i * stride + PH, j * stride:j * stride + PW] += dout[:, :, i, j][:, :, None, None]")),
    # -- average pooling -------------------------------------------------------------
    wrong("avg_pool_square_window",
          "divides by PH * PH, as if windows were square: right for the visible 2x2 case only",
          {AVG_FORWARD},
          avg_pool_forward_naive_impl=(
              "H_out = 1 + (H - PH) // stride\nW_out = 1 + (W - PW) // stride\n"
              "out = np.zeros((N, C, H_out, W_out))\n"
              "for i in range(H_out):\n    for j in range(W_out):\n"
              "        window = x[:, :, i * stride:i * stride + PH, j * stride:j * stride + PW]\n"
              "        out[:, :, i, j] = window.sum(axis=(2, 3)) / (PH * PH)")),
    wrong("avg_pool_grad_not_divided", "passes dout to every entry of the window without dividing by PH * PW",
          {AVG_BACKWARD},
          avg_pool_backward_naive_impl=(
              "dx = np.zeros(x.shape)\n"
              "for i in range(H_out):\n    for j in range(W_out):\n"
              "        dx[:, :, i * stride:i * stride + PH, j * stride:j * stride + PW] += dout[:, :, i, j][:, :, None, None]")),
    # -- spatial batch norm ----------------------------------------------------------
    wrong("spatial_bn_reshape_without_transpose",
          "x.reshape(-1, C) without moving channels last mixes channels, in both passes (consistent, so only "
          "the comparisons with torch catch the backward pass)",
          {SBN_FORWARD, SBN_BACKWARD},
          spatial_batchnorm_forward_impl=spatial("x.reshape(-1, C)", "out_rows.reshape(N, C, H, W)"),
          spatial_batchnorm_backward_impl=spatial_backward("dout.reshape(-1, C)", "dx_rows.reshape(N, C, H, W)")),
    wrong("spatial_bn_running_stats_on_a_copy",
          "hands batchnorm_forward a deep copy of bn_param 'to leave the caller's dict alone': the running "
          "statistics never reach the caller, so the hidden training-step and train-then-test cases fail",
          {SBN_FORWARD},
          spatial_batchnorm_forward_impl=(
              "import copy\n\n"
              "x_rows = x.transpose(0, 2, 3, 1).reshape(N * H * W, C)\n"
              "out_rows, cache = batchnorm_forward(x_rows, gamma, beta, copy.deepcopy(bn_param))\n"
              "out = out_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)")),
]

CORRECT = [
    correct(
        "loops", "every sum a scalar loop; convolution without a padded copy (bounds checks instead)",
        conv_forward_naive_impl=(
            "H_out = (H + 2 * pad - HH) // stride + 1\nW_out = (W + 2 * pad - WW) // stride + 1\n"
            "out = np.zeros((N, F, H_out, W_out))\n"
            "for n in range(N):\n    for f in range(F):\n        for i in range(H_out):\n            for j in range(W_out):\n"
            "                total = b[f]\n"
            "                for c in range(C):\n                    for k in range(HH):\n                        for l in range(WW):\n"
            "                            r, s = i * stride + k - pad, j * stride + l - pad\n"
            "                            if 0 <= r < H and 0 <= s < W:\n"
            "                                total += x[n, c, r, s] * w[f, c, k, l]\n"
            "                out[n, f, i, j] = total"),
        conv_backward_naive_impl=(
            "dx = np.zeros(x.shape)\ndw = np.zeros(w.shape)\ndb = np.zeros(b.shape)\n"
            "for n in range(N):\n    for f in range(F):\n        for i in range(H_out):\n            for j in range(W_out):\n"
            "                g = dout[n, f, i, j]\n                db[f] += g\n"
            "                for c in range(C):\n                    for k in range(HH):\n                        for l in range(WW):\n"
            "                            r, s = i * stride + k - pad, j * stride + l - pad\n"
            "                            if 0 <= r < H and 0 <= s < W:\n"
            "                                dx[n, c, r, s] += g * w[f, c, k, l]\n"
            "                                dw[f, c, k, l] += g * x[n, c, r, s]"),
        max_pool_forward_naive_impl=(
            "H_out = (H - PH) // stride + 1\nW_out = (W - PW) // stride + 1\n"
            "out = np.zeros((N, C, H_out, W_out))\n"
            "for n in range(N):\n    for c in range(C):\n        for i in range(H_out):\n            for j in range(W_out):\n"
            "                out[n, c, i, j] = max(x[n, c, i * stride + k, j * stride + l]\n"
            "                                      for k in range(PH) for l in range(PW))"),
        max_pool_backward_naive_impl=(
            "dx = np.zeros(x.shape)\n"
            "for n in range(N):\n    for c in range(C):\n        for i in range(H_out):\n            for j in range(W_out):\n"
            "                best, where = -np.inf, None\n"
            "                for k in range(PH):\n                    for l in range(PW):\n"
            "                        if x[n, c, i * stride + k, j * stride + l] > best:\n"
            "                            best, where = x[n, c, i * stride + k, j * stride + l], (i * stride + k, j * stride + l)\n"
            "                dx[n, c, where[0], where[1]] += dout[n, c, i, j]"),
        avg_pool_forward_naive_impl=(
            "H_out = (H - PH) // stride + 1\nW_out = (W - PW) // stride + 1\n"
            "out = np.zeros((N, C, H_out, W_out))\n"
            "for n in range(N):\n    for c in range(C):\n        for i in range(H_out):\n            for j in range(W_out):\n"
            "                total = 0.0\n"
            "                for k in range(PH):\n                    for l in range(PW):\n"
            "                        total += x[n, c, i * stride + k, j * stride + l]\n"
            "                out[n, c, i, j] = total / (PH * PW)"),
        avg_pool_backward_naive_impl=(
            "dx = np.zeros(x.shape)\n"
            "for n in range(N):\n    for c in range(C):\n        for i in range(H_out):\n            for j in range(W_out):\n"
            "                for k in range(PH):\n                    for l in range(PW):\n"
            "                        dx[n, c, i * stride + k, j * stride + l] += dout[n, c, i, j] / (PH * PW)"),
        spatial_batchnorm_forward_impl=spatial("np.moveaxis(x, 1, -1).reshape(-1, C)",
                                               "np.moveaxis(out_rows.reshape(N, H, W, C), -1, 1)"),
        spatial_batchnorm_backward_impl=spatial_backward("np.moveaxis(dout, 1, -1).reshape(-1, C)",
                                                         "np.moveaxis(dx_rows.reshape(N, H, W, C), -1, 1)"),
    ),
    correct(
        "tensordot_per_position",
        "vectorised over batch and channels with einsum/tensordot at each output position; max-pool ties split; "
        "spatial batch norm through a (N, W, H, C) layout",
        conv_forward_naive_impl=(
            "S, P = conv_param['stride'], conv_param['pad']\nHH, WW = w.shape[2:]\n"
            "x_pad = np.pad(x, [(0, 0), (0, 0), (P, P), (P, P)], mode='constant')\n"
            "H_out = (x_pad.shape[2] - HH) // S + 1\nW_out = (x_pad.shape[3] - WW) // S + 1\n"
            "out = np.empty((x.shape[0], w.shape[0], H_out, W_out))\n"
            "for i in range(H_out):\n    for j in range(W_out):\n"
            "        patch = x_pad[:, :, i * S:i * S + HH, j * S:j * S + WW]\n"
            "        out[:, :, i, j] = np.einsum('nchw,fchw->nf', patch, w) + b"),
        conv_backward_naive_impl=(
            "S, P = conv_param['stride'], conv_param['pad']\nHH, WW = w.shape[2:]\n"
            "x_pad = np.pad(x, [(0, 0), (0, 0), (P, P), (P, P)], mode='constant')\n"
            "dx_pad = np.zeros_like(x_pad, dtype=np.float64)\ndw = np.zeros_like(w, dtype=np.float64)\n"
            "for i in range(dout.shape[2]):\n    for j in range(dout.shape[3]):\n"
            "        g = dout[:, :, i, j]\n"
            "        dx_pad[:, :, i * S:i * S + HH, j * S:j * S + WW] += np.tensordot(g, w, axes=(1, 0))\n"
            "        dw += np.tensordot(g, x_pad[:, :, i * S:i * S + HH, j * S:j * S + WW], axes=(0, 0))\n"
            "db = np.einsum('nfhw->f', dout)\n"
            "dx = dx_pad[:, :, P:x_pad.shape[2] - P, P:x_pad.shape[3] - P]"),
        max_pool_forward_naive_impl=(
            "out = np.empty((N, C, (H - PH) // stride + 1, (W - PW) // stride + 1))\n"
            "for i in range(out.shape[2]):\n    for j in range(out.shape[3]):\n"
            "        patch = x[:, :, i * stride:i * stride + PH, j * stride:j * stride + PW]\n"
            "        out[:, :, i, j] = np.amax(patch.reshape(N, C, -1), axis=2)"),
        max_pool_backward_naive_impl=(
            "dx = np.zeros(x.shape)\n"
            "for i in range(dout.shape[2]):\n    for j in range(dout.shape[3]):\n"
            "        rows = slice(i * stride, i * stride + PH)\n        cols = slice(j * stride, j * stride + PW)\n"
            "        patch = x[:, :, rows, cols]\n"
            "        mask = patch == patch.max(axis=(2, 3), keepdims=True)\n"
            "        dx[:, :, rows, cols] += mask / mask.sum(axis=(2, 3), keepdims=True) * dout[:, :, i, j][:, :, None, None]"),
        avg_pool_forward_naive_impl=(
            "out = np.empty((N, C, (H - PH) // stride + 1, (W - PW) // stride + 1))\n"
            "for i in range(out.shape[2]):\n    for j in range(out.shape[3]):\n"
            "        out[:, :, i, j] = np.einsum('nchw->nc', x[:, :, i * stride:i * stride + PH, j * stride:j * stride + PW]) / (PH * PW)"),
        avg_pool_backward_naive_impl=(
            "dx = np.zeros(x.shape)\n"
            "for i in range(dout.shape[2]):\n    for j in range(dout.shape[3]):\n"
            "        dx[:, :, i * stride:i * stride + PH, j * stride:j * stride + PW] += np.broadcast_to(\n"
            "            dout[:, :, i, j, None, None] / (PH * PW), (N, C, PH, PW))"),
        spatial_batchnorm_forward_impl=spatial("x.swapaxes(1, 3).reshape(-1, C)",
                                               "out_rows.reshape(N, W, H, C).swapaxes(1, 3)"),
        spatial_batchnorm_backward_impl=spatial_backward("dout.swapaxes(1, 3).reshape(-1, C)",
                                                         "dx_rows.reshape(N, W, H, C).swapaxes(1, 3)"),
    ),
    correct(
        "float32_kept", "keeps the input's dtype (float32 in, float32 out) instead of returning float64",
        conv_forward_naive_impl=(
            "H_out = 1 + (H + 2 * pad - HH) // stride\nW_out = 1 + (W + 2 * pad - WW) // stride\n"
            "x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))\n"
            "out = np.zeros((N, F, H_out, W_out), dtype=np.result_type(x, w, b))\n"
            "for i in range(H_out):\n    for j in range(W_out):\n"
            "        window = x_pad[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW]\n"
            "        out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b"),
        max_pool_forward_naive_impl=(
            "H_out = 1 + (H - PH) // stride\nW_out = 1 + (W - PW) // stride\n"
            "out = np.zeros((N, C, H_out, W_out), dtype=x.dtype)\n"
            "for i in range(H_out):\n    for j in range(W_out):\n"
            "        out[:, :, i, j] = x[:, :, i * stride:i * stride + PH, j * stride:j * stride + PW].max(axis=(2, 3))"),
        avg_pool_forward_naive_impl=(
            "H_out = 1 + (H - PH) // stride\nW_out = 1 + (W - PW) // stride\n"
            "out = np.zeros((N, C, H_out, W_out), dtype=x.dtype)\n"
            "for i in range(H_out):\n    for j in range(W_out):\n"
            "        out[:, :, i, j] = x[:, :, i * stride:i * stride + PH, j * stride:j * stride + PW].mean(axis=(2, 3))"),
    ),
]

CATALOGUE = NotebookCatalogue(
    assignment="layers",
    notebook="03_convolution.ipynb",
    points={
        CONV_FORWARD: 3, CONV_BACKWARD: 4,
        MAX_FORWARD: 1, MAX_BACKWARD: 2,
        AVG_FORWARD: 1, AVG_BACKWARD: 2,
        SBN_FORWARD: 2, SBN_BACKWARD: 2,
    },
    wrong=WRONG,
    correct=CORRECT,
    requires=("02_normalization.ipynb",),
)
