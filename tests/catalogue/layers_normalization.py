"""Catalogue of `solutions/layers/02_normalization.ipynb`: dropout, batch norm, layer norm.

The reference batch norm cache is ``(x, mu, var, eps, x_hat, gamma)`` and the layer norm
cache ``(x_hat, gamma, std)``; a variant that replaces only a forward pass keeps that
layout so that the reference backward passes can read it. A wrong forward pass usually
breaks the gradient checks too, since they differentiate the student's own forward pass
and the hidden cases compare with torch autograd: such variants list those cells.
"""

from catalogue import NotebookCatalogue, correct, wrong

DROP_F, DROP_B = "dropout_forward_values", "dropout_backward_gradcheck"
BN_TRAIN, BN_RUN, BN_TEST = "batchnorm_forward_train_values", "batchnorm_running_stats", "batchnorm_forward_test_values"
BN_B, BN_ALT = "batchnorm_backward_gradcheck", "batchnorm_backward_alt_gradcheck"
LN_F, LN_B = "layernorm_forward_values", "layernorm_backward_gradcheck"


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.strip("\n").splitlines())


def bn_forward(train: str, test: str = "out = gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta") -> str:
    """A batchnorm_forward body: the train-mode lines, then the test-mode ones."""
    return (f'if mode == "train":\n{_indent(train)}\nelif mode == "test":\n{_indent(test)}\n'
            'else:\n    raise ValueError(mode)')


BN_TRAIN_OK = """
mu = x.mean(axis=0)
var = x.var(axis=0)
x_hat = (x - mu) / np.sqrt(var + eps)
out = gamma * x_hat + beta
running_mean = momentum * running_mean + (1 - momentum) * mu
running_var = momentum * running_var + (1 - momentum) * var
cache = (x, mu, var, eps, x_hat, gamma)
"""

# The step-by-step backward pass of the reference, with one path of x left out.
BN_BACKWARD_HEAD = """
x, mu, var, eps, x_hat, gamma = cache
N = x.shape[0]
x_mu = x - mu
std = np.sqrt(var + eps)
dbeta = dout.sum(axis=0)
dgamma = (dout * x_hat).sum(axis=0)
dx_hat = dout * gamma
dx_mu = dx_hat / std
dvar = -(dx_hat * x_mu).sum(axis=0) / std**2 / (2 * std)
"""

WRONG = [
    # -- dropout ---------------------------------------------------------------------
    wrong("dropout_no_rescale", "keeps entries without the 1/p scaling (not inverted dropout)",
          {DROP_F},
          dropout_forward_impl=(
              'if mode == "train":\n    mask = rng.random(x.shape) < p\n    out = x * mask\nelse:\n    out = x')),
    wrong("dropout_p_is_drop_probability", "reads p as the probability of dropping, as torch.nn.Dropout does",
          {DROP_F},
          dropout_forward_impl=(
              'if mode == "train":\n    mask = (rng.random(x.shape) >= p) / (1 - p)\n    out = x * mask\n'
              'else:\n    out = x')),
    wrong("dropout_in_test_mode", "drops units at test time as well",
          {DROP_F},
          dropout_forward_impl="mask = (rng.random(x.shape) < p) / p\nout = x * mask"),
    wrong("dropout_ignores_seed", "draws from the unseeded global generator: the same seed gives another mask",
          {DROP_F, DROP_B},
          dropout_forward_impl=(
              'if mode == "train":\n    mask = (np.random.rand(*x.shape) < p) / p\n    out = x * mask\n'
              'else:\n    out = x')),
    wrong("dropout_backward_no_mask", "passes the upstream gradient through unmasked",
          {DROP_B},
          dropout_backward_impl="dx = dout"),
    # -- batch norm forward ----------------------------------------------------------
    wrong("batchnorm_unbiased_variance", "normalises with the unbiased variance (divides by N - 1)",
          {BN_TRAIN, BN_RUN, BN_B, BN_ALT},
          batchnorm_forward_impl=bn_forward(BN_TRAIN_OK.replace("x.var(axis=0)", "x.var(axis=0, ddof=1)"))),
    wrong("batchnorm_momentum_inverted", "weights the new batch by momentum and the running average by 1 - momentum",
          {BN_RUN},
          batchnorm_forward_impl=bn_forward(
              BN_TRAIN_OK.replace("momentum * running_mean + (1 - momentum) * mu",
                                  "(1 - momentum) * running_mean + momentum * mu")
              .replace("momentum * running_var + (1 - momentum) * var",
                       "(1 - momentum) * running_var + momentum * var"))),
    wrong("batchnorm_momentum_hardcoded", "writes 0.9 instead of bn_param's momentum: only a hidden case uses another",
          {BN_RUN},
          batchnorm_forward_impl=bn_forward(
              BN_TRAIN_OK.replace("momentum * running_mean + (1 - momentum) * mu", "0.9 * running_mean + 0.1 * mu")
              .replace("momentum * running_var + (1 - momentum) * var", "0.9 * running_var + 0.1 * var"))),
    wrong("batchnorm_running_var_unbiased", "averages the unbiased variance into running_var (torch's convention)",
          {BN_RUN},
          batchnorm_forward_impl=bn_forward(
              BN_TRAIN_OK.replace("(1 - momentum) * var", "(1 - momentum) * x.var(axis=0, ddof=1)"))),
    wrong("batchnorm_test_uses_batch_stats", "normalises test batches with their own mean and variance",
          {BN_TEST},
          batchnorm_forward_impl=bn_forward(
              BN_TRAIN_OK, "out = gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps) + beta")),
    wrong("batchnorm_test_forgets_gamma_beta", "test mode normalises but does not scale and shift",
          {BN_TEST},
          batchnorm_forward_impl=bn_forward(BN_TRAIN_OK, "out = (x - running_mean) / np.sqrt(running_var + eps)")),
    wrong("batchnorm_eps_outside_sqrt", "divides by sqrt(var) + eps instead of sqrt(var + eps)",
          {BN_TRAIN, BN_TEST, BN_B, BN_ALT},
          batchnorm_forward_impl=bn_forward(
              BN_TRAIN_OK.replace("np.sqrt(var + eps)", "(np.sqrt(var) + eps)"),
              "out = gamma * (x - running_mean) / (np.sqrt(running_var) + eps) + beta")),
    # -- batch norm backward ---------------------------------------------------------
    wrong("batchnorm_backward_no_dvar_path", "drops the path from x through the variance into dx",
          {BN_B},
          batchnorm_backward_impl=BN_BACKWARD_HEAD + "dmu = -dx_mu.sum(axis=0)\ndx = dx_mu + dmu / N"),
    wrong("batchnorm_backward_no_dmean_path", "drops the path from x through the mean into dx",
          {BN_B},
          batchnorm_backward_impl=BN_BACKWARD_HEAD + "dx = dx_mu + 2 * x_mu * dvar / N"),
    wrong("batchnorm_backward_dgamma_without_xhat", "sums dout for dgamma without multiplying by x_hat",
          {BN_B},
          batchnorm_backward_impl=(
              BN_BACKWARD_HEAD + "dx_mu += 2 * x_mu * dvar / N\ndx = dx_mu - dx_mu.sum(axis=0) / N\n"
              "dgamma = dout.sum(axis=0)")),
    wrong("batchnorm_backward_alt_missing_term", "closed form without the x_hat * mean(dout * x_hat) term",
          {BN_ALT},
          batchnorm_backward_alt_impl=(
              "x, mu, var, eps, x_hat, gamma = cache\ndbeta = dout.sum(axis=0)\n"
              "dgamma = (dout * x_hat).sum(axis=0)\ndx = gamma / np.sqrt(var + eps) * (dout - dout.mean(axis=0))")),
    # -- layer norm ------------------------------------------------------------------
    wrong("layernorm_over_batch_axis", "normalises each feature over the batch, as batch norm does",
          {LN_F, LN_B},
          layernorm_forward_impl=(
              "mu = x.mean(axis=0)\nvar = x.var(axis=0)\nstd = np.sqrt(var + eps)\nx_hat = (x - mu) / std\n"
              "out = gamma * x_hat + beta\ncache = (x_hat, gamma, std)")),
    wrong("layernorm_eps_hardcoded", "writes 1e-5 instead of ln_param's eps: only hidden cases use another",
          {LN_F, LN_B},
          layernorm_forward_impl=(
              "mu = x.mean(axis=1, keepdims=True)\nstd = np.sqrt(x.var(axis=1, keepdims=True) + 1e-5)\n"
              "x_hat = (x - mu) / std\nout = gamma * x_hat + beta\ncache = (x_hat, gamma, std)")),
    wrong("layernorm_backward_gamma_outside", "applies gamma after the row means, as if it were constant along a row",
          {LN_B},
          layernorm_backward_impl=(
              "x_hat, gamma, std = cache\ndbeta = dout.sum(axis=0)\ndgamma = (dout * x_hat).sum(axis=0)\n"
              "dx = gamma * (dout - dout.mean(axis=1, keepdims=True)\n"
              "             - x_hat * (dout * x_hat).mean(axis=1, keepdims=True)) / std")),
]

CORRECT = [
    correct(
        "loops", "explicit loops: one random draw per entry, one feature or example at a time",
        dropout_forward_impl=(
            'if mode == "train":\n    mask = np.zeros(x.shape)\n    out = np.zeros(x.shape)\n'
            "    for idx in np.ndindex(x.shape):\n        if rng.random() < p:\n"
            "            mask[idx] = 1.0 / p\n            out[idx] = x[idx] / p\n"
            "else:\n    out = x.copy()"),
        dropout_backward_impl=(
            'dx = np.array(dout, dtype=float)\nif mode == "train":\n'
            "    for idx in np.ndindex(dout.shape):\n        dx[idx] = dout[idx] * mask[idx]"),
        batchnorm_forward_impl=(
            "out = np.zeros((N, D))\n"
            'if mode == "train":\n'
            "    mu, var, x_hat = np.zeros(D), np.zeros(D), np.zeros((N, D))\n"
            "    new_mean, new_var = np.zeros(D), np.zeros(D)\n"
            "    for j in range(D):\n"
            "        mu[j] = sum(x[i, j] for i in range(N)) / N\n"
            "        var[j] = sum((x[i, j] - mu[j]) ** 2 for i in range(N)) / N\n"
            "        for i in range(N):\n"
            "            x_hat[i, j] = (x[i, j] - mu[j]) / np.sqrt(var[j] + eps)\n"
            "            out[i, j] = gamma[j] * x_hat[i, j] + beta[j]\n"
            "        new_mean[j] = momentum * running_mean[j] + (1 - momentum) * mu[j]\n"
            "        new_var[j] = momentum * running_var[j] + (1 - momentum) * var[j]\n"
            "    running_mean, running_var = new_mean, new_var\n"
            "    cache = (x, mu, var, eps, x_hat, gamma)\n"
            "else:\n"
            "    for i in range(N):\n"
            "        for j in range(D):\n"
            "            out[i, j] = gamma[j] * (x[i, j] - running_mean[j]) / np.sqrt(running_var[j] + eps) + beta[j]"),
        batchnorm_backward_impl=(
            "x, mu, var, eps, x_hat, gamma = cache\nN, D = x.shape\n"
            "dx, dgamma, dbeta = np.zeros((N, D)), np.zeros(D), np.zeros(D)\n"
            "for j in range(D):\n"
            "    std = np.sqrt(var[j] + eps)\n"
            "    dvar = 0.0\n"
            "    for i in range(N):\n"
            "        dbeta[j] += dout[i, j]\n"
            "        dgamma[j] += dout[i, j] * x_hat[i, j]\n"
            "        dvar += dout[i, j] * gamma[j] * (x[i, j] - mu[j]) * -0.5 * (var[j] + eps) ** -1.5\n"
            "    dmu = 0.0\n"
            "    for i in range(N):\n"
            "        dmu += -dout[i, j] * gamma[j] / std - dvar * 2 * (x[i, j] - mu[j]) / N\n"
            "    for i in range(N):\n"
            "        dx[i, j] = dout[i, j] * gamma[j] / std + dvar * 2 * (x[i, j] - mu[j]) / N + dmu / N"),
        batchnorm_backward_alt_impl=(
            "x, mu, var, eps, x_hat, gamma = cache\nN, D = x.shape\n"
            "dx, dgamma, dbeta = np.zeros((N, D)), np.zeros(D), np.zeros(D)\n"
            "for j in range(D):\n"
            "    dbeta[j] = sum(dout[:, j])\n"
            "    dgamma[j] = sum(dout[:, j] * x_hat[:, j])\n"
            "    for i in range(N):\n"
            "        dx[i, j] = gamma[j] / np.sqrt(var[j] + eps) * (\n"
            "            dout[i, j] - dbeta[j] / N - x_hat[i, j] * dgamma[j] / N)"),
        layernorm_forward_impl=(
            "N, D = x.shape\nout, x_hat, std = np.zeros((N, D)), np.zeros((N, D)), np.zeros(N)\n"
            "for i in range(N):\n"
            "    row = x[i]\n"
            "    mu = sum(row) / D\n"
            "    std[i] = np.sqrt(sum((row - mu) ** 2) / D + eps)\n"
            "    x_hat[i] = (row - mu) / std[i]\n"
            "    out[i] = gamma * x_hat[i] + beta\n"
            "cache = (x_hat, gamma, std)"),
        layernorm_backward_impl=(
            "x_hat, gamma, std = cache\nN, D = x_hat.shape\n"
            "dx, dgamma, dbeta = np.zeros((N, D)), np.zeros(D), np.zeros(D)\n"
            "for i in range(N):\n"
            "    dbeta += dout[i]\n"
            "    dgamma += dout[i] * x_hat[i]\n"
            "    g = dout[i] * gamma\n"
            "    dx[i] = (g - g.sum() / D - x_hat[i] * (g * x_hat[i]).sum() / D) / std[i]"),
    ),
    correct(
        "cs231n_style", "global np.random.seed, a boolean mask, a cache of its own, einsum, layer norm as batch norm of x.T",
        dropout_forward_impl=(
            'if "seed" in dropout_param:\n    np.random.seed(dropout_param["seed"])\n'
            'if mode == "train":\n    mask = np.random.rand(*x.shape) < p\n    out = np.where(mask, x / p, 0.0)\n'
            'elif mode == "test":\n    out = x.copy()'),
        dropout_backward_impl=(
            'dx = dout * mask / dropout_param["p"] if mode == "train" else dout.copy()'),
        batchnorm_forward_impl=(
            'if mode == "train":\n'
            "    sample_mean = np.mean(x, axis=0)\n"
            "    xmu = x - sample_mean\n"
            "    sample_var = np.mean(xmu ** 2, axis=0)\n"
            "    ivar = 1.0 / np.sqrt(sample_var + eps)\n"
            "    xhat = xmu * ivar\n"
            "    out = np.einsum('nd,d->nd', xhat, gamma) + beta\n"
            "    running_mean *= momentum\n"
            "    running_mean = running_mean + (1 - momentum) * sample_mean\n"
            "    running_var = momentum * running_var + (1 - momentum) * sample_var\n"
            "    cache = {'xhat': xhat, 'xmu': xmu, 'ivar': ivar, 'gamma': gamma}\n"
            'elif mode == "test":\n'
            "    out = (x - running_mean) / np.sqrt(running_var + eps) * gamma + beta"),
        batchnorm_backward_impl=(
            "xhat, xmu, ivar, gamma = cache['xhat'], cache['xmu'], cache['ivar'], cache['gamma']\n"
            "N = dout.shape[0]\n"
            "dbeta = np.sum(dout, axis=0)\n"
            "dgamma = np.sum(dout * xhat, axis=0)\n"
            "dxhat = dout * gamma\n"
            "divar = np.sum(dxhat * xmu, axis=0)\n"
            "dxmu1 = dxhat * ivar\n"
            "dsqrtvar = -1.0 * ivar ** 2 * divar\n"
            "dvar = 0.5 * ivar * dsqrtvar\n"
            "dsq = np.ones_like(dout) * dvar / N\n"
            "dxmu2 = 2 * xmu * dsq\n"
            "dx1 = dxmu1 + dxmu2\n"
            "dmu = -1.0 * np.sum(dx1, axis=0)\n"
            "dx2 = np.ones_like(dout) * dmu / N\n"
            "dx = dx1 + dx2"),
        batchnorm_backward_alt_impl=(
            "xhat, ivar, gamma = cache['xhat'], cache['ivar'], cache['gamma']\n"
            "N = dout.shape[0]\n"
            "dbeta = np.einsum('nd->d', dout)\n"
            "dgamma = np.einsum('nd,nd->d', dout, xhat)\n"
            "dx = (gamma * ivar / N) * (N * dout - dbeta - xhat * dgamma)"),
        layernorm_forward_impl=(
            "# batch norm of the transposed batch normalises each example over its features\n"
            "xhat_t, bn_cache = batchnorm_forward(x.T, np.ones(x.shape[0]), np.zeros(x.shape[0]),\n"
            '                                     {"mode": "train", "eps": eps})\n'
            "out = gamma * xhat_t.T + beta\n"
            "cache = (xhat_t.T, gamma, bn_cache)"),
        layernorm_backward_impl=(
            "xhat, gamma, bn_cache = cache\n"
            "dbeta = dout.sum(axis=0)\n"
            "dgamma = (dout * xhat).sum(axis=0)\n"
            "dx = batchnorm_backward_alt((dout * gamma).T, bn_cache)[0].T"),
    ),
    correct(
        "float64_inside", "casts its inputs to float64 (float64 results for float32 input), E[x^2] - E[x]^2 variances",
        dropout_forward_impl=(
            "x = np.asarray(x, dtype=np.float64)\n"
            'if mode == "train":\n    mask = (rng.random(x.shape) < p).astype(np.float64) * (1.0 / p)\n'
            "    out = x * mask\nelse:\n    out = x"),
        batchnorm_forward_impl=(
            "x, gamma, beta = (np.asarray(a, dtype=np.float64) for a in (x, gamma, beta))\n"
            'if mode == "train":\n'
            "    mu = x.mean(axis=0)\n"
            "    var = np.maximum((x * x).mean(axis=0) - mu * mu, 0.0)\n"
            "    x_hat = (x - mu) / np.sqrt(var + eps)\n"
            "    out = x_hat * gamma + beta\n"
            "    running_mean = momentum * np.asarray(running_mean, dtype=np.float64) + (1 - momentum) * mu\n"
            "    running_var = momentum * np.asarray(running_var, dtype=np.float64) + (1 - momentum) * var\n"
            "    cache = (x, mu, var, eps, x_hat, gamma)\n"
            "else:\n"
            "    out = gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta"),
        layernorm_forward_impl=(
            "x, gamma, beta = (np.asarray(a, dtype=np.float64) for a in (x, gamma, beta))\n"
            "mu = x.mean(axis=1)[:, None]\n"
            "std = np.sqrt(np.maximum((x * x).mean(axis=1)[:, None] - mu * mu, 0.0) + eps)\n"
            "x_hat = (x - mu) / std\n"
            "out = x_hat * gamma[None, :] + beta[None, :]\n"
            "cache = (x_hat, gamma, std)"),
    ),
]

CATALOGUE = NotebookCatalogue(
    assignment="layers",
    notebook="02_normalization.ipynb",
    points={
        DROP_F: 3, DROP_B: 2,
        BN_TRAIN: 3, BN_RUN: 2, BN_TEST: 2, BN_B: 4, BN_ALT: 2,
        LN_F: 2, LN_B: 3,
    },
    wrong=WRONG,
    correct=CORRECT,
)
