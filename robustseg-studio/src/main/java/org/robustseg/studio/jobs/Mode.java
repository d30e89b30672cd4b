package org.robustseg.studio.jobs;

import java.util.Locale;
import org.robustseg.synth.Editing;
import org.robustseg.synth.Generation;
import org.robustseg.synth.Inpainting;
import org.robustseg.studio.workspace.ApiException;

/** What a job does, with its default number of gradient steps (the core presets' defaults; 0: no loop). */
public enum Mode {
    /** Each model's prediction on the input (shown as an overlay before anything runs). */
    PREDICT(0),
    INPAINT(Inpainting.DEFAULT_STEPS),
    GENERATE(Generation.DEFAULT_STEPS),
    EDIT(Editing.DEFAULT_STEPS),
    /** A white-box attack; its default is PGD-10. */
    ATTACK(10),
    /** One input gradient per model: no loop. */
    SALIENCY(0);

    private final int defaultSteps;

    Mode(int defaultSteps) {
        this.defaultSteps = defaultSteps;
    }

    public int defaultSteps() {
        return defaultSteps;
    }

    /** True when the mode runs the loop and so takes a number of steps. */
    public boolean iterates() {
        return defaultSteps > 0;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Mode parse(String name) {
        for (Mode m : values()) {
            if (m.toString().equals(name)) {
                return m;
            }
        }
        throw ApiException.badRequest("unknown mode '" + name + "' (known: predict, inpaint, generate, edit, attack, saliency)");
    }
}
