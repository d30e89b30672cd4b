package org.robustseg.cli.synthesis;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.robustseg.provenance.Json;
import org.robustseg.synth.SynthesisResult;

/**
 * The per-image JSON figures of the synthesis commands' metrics.json. Core {@link Json} writes
 * plain trees; here NaN (nothing to measure) becomes null and infinity (identical regions) "inf".
 */
final class ResultJson {
    private ResultJson() {}

    /** Puts {@code v} under {@code key}: null when NaN, "inf"/"-inf" when infinite. */
    static void putNumber(ObjectNode o, String key, double v) {
        if (Double.isNaN(v)) {
            o.putNull(key);
        } else if (Double.isInfinite(v)) {
            o.put(key, v > 0 ? "inf" : "-inf");
        } else {
            o.put(key, v);
        }
    }

    /** Mean of the finite values (NaN when none). */
    static double meanOfFinite(double[] v) {
        double s = 0;
        int n = 0;
        for (double x : v) {
            if (Double.isFinite(x)) {
                s += x;
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }

    /** The per-image figures common to all synthesis results. */
    static ObjectNode imageEntry(SynthesisResult r, int i, String id, int background) {
        ObjectNode e = Json.object();
        e.put("id", id);
        e.put("loss_before", r.lossBefore()[i]);
        e.put("loss_after", r.lossAfter()[i]);
        putNumber(e, "self_accuracy", r.selfAccuracy(false, background)[i]);
        putNumber(e, "self_accuracy_objects", r.selfAccuracy(true, background)[i]);
        return e;
    }
}
