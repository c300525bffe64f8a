"""A weighted, L2-regularised logistic regression: the one fitter behind every learned weight
yomitoki ships (the answerability model, the sentence scorer).

scipy's L-BFGS on the weighted log loss, the features standardised first (so that the
regularisation weighs each the same whatever its scale; cosines differ in their hundredths)
and the weights given back for the raw features. Its weights agree with scikit-learn's
LogisticRegression, which fitted the first answerability model, to about 2 %.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize

Matrix = npt.NDArray[np.float64]


def fit(x: Matrix, y: Matrix, w: Matrix, c: float) -> tuple[Matrix, float]:
    """Weights and bias over the raw columns of ``x`` for labels ``y`` (0/1), each row
    weighing ``w``; ``c`` as scikit-learn's C (the loss weighs C times the squared weights'
    half)."""
    mean = np.average(x, axis=0, weights=w)
    scale = np.sqrt(np.average((x - mean) ** 2, axis=0, weights=w))
    scale[scale < 1e-12] = 1.0  # a column constant here
    z = (x - mean) / scale

    def loss(theta: Matrix) -> tuple[float, Matrix]:
        beta, bias = theta[:-1], theta[-1]
        margin = z @ beta + bias
        p = 1.0 / (1.0 + np.exp(-margin))
        value = c * float(np.sum(w * (np.logaddexp(0.0, margin) - y * margin)))
        value += 0.5 * float(beta @ beta)
        residual = c * w * (p - y)
        gradient = np.append(z.T @ residual + beta, residual.sum())
        return value, gradient

    theta = minimize(loss, np.zeros(z.shape[1] + 1), jac=True, method="L-BFGS-B").x
    weights = theta[:-1] / scale
    return weights, float(theta[-1]) - float(np.sum(weights * mean))


def probabilities(x: Matrix, weights: Matrix, bias: float) -> Matrix:
    """The fitted model's probability for each row of ``x``."""
    margin = np.clip(x @ weights + bias, -50.0, 50.0)
    out: Matrix = 1.0 / (1.0 + np.exp(-margin))
    return out


def fit_choice(groups: list[tuple[Matrix, Matrix]], c: float) -> tuple[Matrix, float]:
    """Weights and bias over the raw columns for choosing within groups: in each group (one
    question's candidate sentences, ``(features, labels)``) a softmax over the rows should put
    its mass on the positives (a conditional logit, L2-regularised, each group weighing the
    same). The order it gives is then calibrated into probabilities by a one-feature logistic
    over its scores (``fit``), so the weights returned score like ``fit``'s."""
    x = np.vstack([g for g, _ in groups])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-12] = 1.0
    standard = [((g - mean) / scale, y / y.sum()) for g, y in groups]

    def loss(beta: Matrix) -> tuple[float, Matrix]:
        value, gradient = 0.5 * float(beta @ beta), beta.copy()
        for z, target in standard:
            s = z @ beta
            s = s - s.max()
            p = np.exp(s) / np.exp(s).sum()
            value -= c * float(target @ np.log(p + 1e-300))
            gradient += c * z.T @ (p - target)
        return value, gradient

    beta = minimize(loss, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B").x
    weights = beta / scale
    scores = np.concatenate([g @ weights for g, _ in groups])[:, None]
    labels = np.concatenate([y for _, y in groups])
    w = np.concatenate(
        [np.where(y == 1, 0.5 / y.sum(), 0.5 / (len(y) - y.sum())) for _, y in groups]
    )
    (slope,), bias = fit(scores, labels, w, 100.0)
    return weights * slope, bias
