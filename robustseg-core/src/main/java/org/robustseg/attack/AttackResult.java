package org.robustseg.attack;

import ai.djl.ndarray.NDArray;

/**
 * An attack's outcome: the adversarial images and, per image, the figures every caller (the
 * robustness report, ensembles, the CLI) compares them by.
 *
 * @param adversarial images N×3×H×W in [0,1], owned by the input images' manager
 * @param accuracy pixel accuracy on valid pixels against the labels given to the attack (for a
 *     targeted attack: agreement with the target map)
 * @param loss mean pixel cross-entropy on valid pixels against the same labels
 */
public record AttackResult(NDArray adversarial, float[] accuracy, float[] loss) {}
