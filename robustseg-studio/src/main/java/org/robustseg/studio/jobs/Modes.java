package org.robustseg.studio.jobs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.robustseg.attack.AttackResult;
import org.robustseg.attack.GradientAttack;
import org.robustseg.attack.Norm;
import org.robustseg.cli.options.GenerationParams;
import org.robustseg.cli.options.InpaintingParams;
import org.robustseg.data.SegSample;
import org.robustseg.engine.OwnedArrays;
import org.robustseg.metric.Saliency;
import org.robustseg.model.SegmentationModel;
import org.robustseg.optim.IterationListener;
import org.robustseg.provenance.Json;
import org.robustseg.report.ImageGrid;
import org.robustseg.studio.workspace.Pictures;
import org.robustseg.studio.workspace.StudioImage;
import org.robustseg.studio.workspace.StudioModel;
import org.robustseg.studio.workspace.Workspace;
import org.robustseg.synth.Editing;
import org.robustseg.synth.Generation;
import org.robustseg.synth.Hole;
import org.robustseg.synth.Inpainting;
import org.robustseg.synth.Synthesis;
import org.robustseg.synth.SynthesisResult;

/**
 * Runs one mode of a job on one model through the core's presets, the same calls the CLI's
 * commands make (inpainting and generation configured by the app's option records with their
 * defaults; the attack presets; {@link Saliency}). A result is {@code settings} (the preset's
 * own record of itself), {@code figures} and {@code pictures} (PNG data URLs), plus {@code view}:
 * which picture the page shows large and which label map it lays over it.
 *
 * <p>Each run works in a sub-manager of the model's manager: whether it ends, fails or is stopped
 * between two steps, its arrays are freed when it returns.
 */
final class Modes {
    private final Workspace ws;

    Modes(Workspace ws) {
        this.ws = ws;
    }

    ObjectNode run(JobRequest r, StudioModel m, IterationListener listener) {
        SegmentationModel model = m.model();
        try (NDManager nd = model.manager().newSubManager()) {
            return switch (r.mode()) {
                case PREDICT -> predict(r, model, nd);
                case INPAINT -> inpaint(r, model, nd, listener);
                case GENERATE -> generate(r, model, nd, listener);
                case EDIT -> edit(r, model, nd, listener);
                case ATTACK -> attack(r, model, nd, listener);
                case SALIENCY -> saliency(r, model, nd);
            };
        }
    }

    private ObjectNode predict(JobRequest r, SegmentationModel model, NDManager nd) {
        StudioImage in = r.input();
        int[] pred = predict(model, image(nd, in));
        ObjectNode out = result(Map.of("method", "prediction"), "input", "prediction");
        if (in.hasTruth()) {
            putFinite(out.with("figures"), "pixel_accuracy", agreement(pred, in.labels(), null));
        }
        out.with("pictures").put("input", Pictures.image(in.image(), in.height(), in.width()));
        out.with("pictures").put("prediction", labels(pred, in));
        return out;
    }

    private ObjectNode inpaint(JobRequest r, SegmentationModel model, NDManager nd, IterationListener listener) {
        StudioImage in = r.input();
        Inpainting inpaint = InpaintingParams.DEFAULTS.withSteps(r.steps()).configure(r.seed()).listener(listener);
        NDArray x = image(nd, in);
        List<Hole> holes = List.of(new Hole(in.height(), in.width(), r.hole()));
        int[] target = r.truthTarget() ? in.labels() : inpaint.targetFromPrediction(model, x, holes, r.classId(), 0);
        SynthesisResult s = inpaint.run(model, x, holes, labelArray(nd, target, in.height(), in.width()));
        ObjectNode out = result(inpaint.settings(), "result", "prediction");
        synthesisFigures(out, s);
        out.with("figures").put("hole_pixels", holes.get(0).count());
        ObjectNode p = out.with("pictures");
        p.put("filled", Pictures.image(s.startImage(0), in.height(), in.width()));
        p.put("result", Pictures.image(s.image(0), in.height(), in.width()));
        p.put("target", labels(s.target(0), in));
        p.put("prediction", labels(s.prediction(0), in));
        return out;
    }

    private ObjectNode generate(JobRequest r, SegmentationModel model, NDManager nd, IterationListener listener) {
        int size = ws.size();
        Generation gen = GenerationParams.DEFAULTS.withSteps(r.steps()).configure(ws.statistics(), r.seed()).listener(listener);
        SynthesisResult s = gen.run(model, OwnedArrays.of(nd, r.layout(), new Shape(1, size, size)));
        ObjectNode out = result(gen.settings(), "result", "prediction");
        synthesisFigures(out, s);
        ObjectNode p = out.with("pictures");
        p.put("seed", Pictures.image(s.startImage(0), size, size));
        p.put("result", Pictures.image(s.image(0), size, size));
        p.put("layout", Pictures.labels(s.target(0), size, size, ws.classes()));
        p.put("prediction", Pictures.labels(s.prediction(0), size, size, ws.classes()));
        return out;
    }

    private ObjectNode edit(JobRequest r, SegmentationModel model, NDManager nd, IterationListener listener) {
        StudioImage in = r.input();
        NDArray x = image(nd, in);
        // the object is read off the label map the page showed: a scene's true labels, else the first model's prediction
        int[] labels = in.hasTruth() ? in.labels() : predict(ws.model(r.models().get(0)).model(), x);
        Hole object = Hole.componentAt(labels, in.height(), in.width(), r.clickY(), r.clickX());
        Editing edit = Synthesis.editing();
        edit = edit.inpainting(edit.inpainting().steps(r.steps()).seed(r.seed()).listener(listener));
        SynthesisResult s = edit.run(model, x, labels, object, r.toClass());
        ObjectNode out = result(edit.settings(), "result", "prediction");
        synthesisFigures(out, s);
        ObjectNode f = out.with("figures");
        f.put("object_class", ws.classes().names().get(labels[r.clickY() * in.width() + r.clickX()]));
        f.put("object_pixels", object.count());
        f.put("labels", in.hasTruth() ? "true labels" : "prediction of " + r.models().get(0));
        ObjectNode p = out.with("pictures");
        p.put("object", Pictures.mask(object.pixels(), in.height(), in.width()));
        p.put("result", Pictures.image(s.image(0), in.height(), in.width()));
        p.put("target", labels(s.target(0), in));
        p.put("prediction", labels(s.prediction(0), in));
        return out;
    }

    private ObjectNode attack(JobRequest r, SegmentationModel model, NDManager nd, IterationListener listener) {
        StudioImage in = r.input();
        NDArray x = image(nd, in);
        int[] clean = predict(model, x);
        // an untargeted attack pushes away from the true labels, or, for an upload, from the model's own prediction
        int[] labels = in.hasTruth() ? in.labels() : clean;
        GradientAttack a = r.attack().listener(listener);
        AttackResult ar = a.perturb(model, x, labelArray(nd, labels, in.height(), in.width()));
        float[] xs = in.image();
        float[] adv = ar.adversarial().toFloatArray();
        int[] attacked = predict(model, ar.adversarial());
        ObjectNode out = result(a.settings(), "adversarial", "adversarial_prediction");
        ObjectNode f = out.with("figures");
        f.put("labels", in.hasTruth() ? "true labels" : "the model's clean prediction");
        putFinite(f, "accuracy_clean", agreement(clean, labels, null));
        putFinite(f, "accuracy_adversarial", agreement(attacked, labels, null));
        int flipped = 0;
        for (int p = 0; p < clean.length; p++) {
            flipped += clean[p] != attacked[p] ? 1 : 0;
        }
        f.put("prediction_flipped", (double) flipped / clean.length);
        float linf = 0;
        for (int k = 0; k < xs.length; k++) {
            linf = Math.max(linf, Math.abs(adv[k] - xs[k]));
        }
        f.put("perturbation_linf", linf);
        f.put("loss_adversarial", ar.loss()[0]);
        ObjectNode p = out.with("pictures");
        p.put("clean_prediction", labels(clean, in));
        p.put("adversarial", Pictures.image(adv, in.height(), in.width()));
        p.put("perturbation", Pictures.image(ImageGrid.perturbation(xs, adv,
                ImageGrid.perturbationGain(a.norm() == Norm.LINF, a.eps(), xs, adv)), in.height(), in.width()));
        p.put("adversarial_prediction", labels(attacked, in));
        return out;
    }

    private ObjectNode saliency(JobRequest r, SegmentationModel model, NDManager nd) {
        StudioImage in = r.input();
        int cls = r.classId() == null ? Saliency.WHOLE_MAP : r.classId();
        Saliency.Maps maps = Saliency.compute(model, image(nd, in), cls, r.score());
        float[] map = maps.map(0);
        Map<String, Object> settings = new java.util.LinkedHashMap<>();
        settings.put("method", "saliency");
        settings.put("score", r.score() == Saliency.Score.LOGIT ? "logit" : "log-softmax");
        settings.put("class", cls == Saliency.WHOLE_MAP ? null : ws.classes().names().get(cls));
        settings.put("display_percentile", Saliency.DISPLAY_PERCENTILE);
        ObjectNode out = result(settings, "saliency", null);
        ObjectNode f = out.with("figures");
        f.put("class_absent_from_prediction", maps.classAbsent()[0]);
        if (in.hasTruth()) {
            Saliency.Alignment al = Saliency.alignment(map, in.labels(), in.height(), in.width(), cls);
            putFinite(f, "object_concentration", al.objectConcentration());
            putFinite(f, "object_energy_share", al.objectEnergyShare());
            putFinite(f, "outline_concentration", al.outlineConcentration());
        }
        ObjectNode p = out.with("pictures");
        p.put("saliency", Pictures.heat(Saliency.forDisplay(map, Saliency.DISPLAY_PERCENTILE), in.height(), in.width()));
        p.put("prediction", labels(maps.prediction(0), in));
        return out;
    }

    // ---- helpers ----

    private static ObjectNode result(Map<String, Object> settings, String image, String overlay) {
        ObjectNode out = Json.object();
        out.set("settings", Json.toTree(settings));
        ObjectNode view = out.putObject("view");
        view.put("image", image);
        if (overlay != null) {
            view.put("overlay", overlay);
        }
        out.putObject("figures");
        out.putObject("pictures");
        return out;
    }

    private static void synthesisFigures(ObjectNode out, SynthesisResult s) {
        ObjectNode f = out.with("figures");
        f.put("loss_before", s.lossBefore()[0]);
        f.put("loss_after", s.lossAfter()[0]);
        putFinite(f, "self_accuracy", s.selfAccuracy(false, 0)[0]);
    }

    private static void putFinite(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) {
            o.put(key, v);
        } else {
            o.putNull(key);
        }
    }

    private static NDArray image(NDManager nd, StudioImage in) {
        return OwnedArrays.of(nd, in.image(), new Shape(1, 3, in.height(), in.width()));
    }

    private static NDArray labelArray(NDManager nd, int[] labels, int h, int w) {
        return OwnedArrays.of(nd, labels, new Shape(1, h, w)).toType(DataType.INT64, false);
    }

    private static int[] predict(SegmentationModel model, NDArray x) {
        try (NDManager m = x.getManager().newSubManager()) {
            NDArray in = x.duplicate();
            in.attach(m);
            return model.logits(in).argMax(1).toType(DataType.INT32, false).toIntArray();
        }
    }

    private String labels(int[] labels, StudioImage in) {
        return Pictures.labels(labels, in.height(), in.width(), ws.classes());
    }

    /** Share of pixels where {@code a} equals {@code b}, ignore pixels of b skipped. */
    private static double agreement(int[] a, int[] b, boolean[] region) {
        int hit = 0;
        int n = 0;
        for (int p = 0; p < a.length; p++) {
            if (b[p] != SegSample.IGNORE && (region == null || region[p])) {
                n++;
                hit += a[p] == b[p] ? 1 : 0;
            }
        }
        return n == 0 ? Double.NaN : (double) hit / n;
    }
}
