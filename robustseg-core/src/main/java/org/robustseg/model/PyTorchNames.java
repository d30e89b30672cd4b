package org.robustseg.model;

import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PyTorch {@code state_dict} name of each zoo parameter: the names of the zoo's PyTorch twins
 * in {@code bench/reference/reference.py} ({@code backbone.layers.0.0.branch.0.0.weight}, ...),
 * so that weights exported by name load there with {@code load_state_dict(strict=True)}. The
 * one mapping between the two sides; the bench's export test checks it against reference.py.
 *
 * <p>DJL names a parameter by its path of blocks, each step "NN" (1-based position among its
 * siblings) plus the child's name: a named child ({@code backbone}, {@code layer1}, {@code pool2},
 * {@code atrous4}, ...) or, inside a SequentialBlock, its class ({@code 01Conv2d}). The twins use
 * PyTorch's conventions: Sequential children by 0-based index, the branches of PPM and ASPP in
 * a ModuleList {@code branches}, BatchNorm's gamma/beta as weight/bias.
 */
public final class PyTorchNames {
    private static final Pattern STEP = Pattern.compile("(\\d{2})([A-Za-z][A-Za-z0-9]*)_");
    private static final Map<String, String> PARAMETERS = Map.of("weight", "weight", "bias", "bias", "gamma", "weight",
            "beta", "bias", "runningMean", "running_mean", "runningVar", "running_var");

    private PyTorchNames() {}

    /** The PyTorch name of the zoo parameter DJL calls {@code djlName}; an unknown layout is an error naming it. */
    public static String of(String djlName) {
        List<String> path = new ArrayList<>();
        Matcher m = STEP.matcher(djlName);
        int at = 0;
        while (m.find() && m.start() == at) {
            int position = Integer.parseInt(m.group(1)) - 1;
            String child = m.group(2);
            path.add(step(child, position, djlName));
            at = m.end();
        }
        String param = PARAMETERS.get(djlName.substring(at));
        if (param == null || path.isEmpty()) {
            throw new IllegalArgumentException("no PyTorch name for parameter " + djlName);
        }
        path.add(param);
        return String.join(".", path).replace("..", ".");
    }

    private static String step(String child, int position, String djlName) {
        if (Character.isUpperCase(child.charAt(0))) {
            return String.valueOf(position); // a SequentialBlock's child, named by its class
        }
        if (child.matches("layer\\d")) {
            return "layers." + (Integer.parseInt(child.substring(5)) - 1);
        }
        if (child.matches("pool\\d+|conv1x1|atrous\\d+")) {
            return "branches." + position; // PPM bins and ASPP's 1x1 + atrous convolutions, in order
        }
        return switch (child) {
            case "backbone", "head", "stem", "branch", "shortcut", "projection" -> child;
            case "auxHead" -> "aux";
            case "imagePool" -> "image_pool";
            default -> throw new IllegalArgumentException("no PyTorch name for block '" + child + "' in parameter " + djlName);
        };
    }

    /**
     * The model's parameters (BatchNorm running statistics included) by PyTorch name, in DJL's
     * order, for a zoo model with ordinary BatchNorm.
     */
    public static Map<String, Parameter> stateDict(SegmentationModel model) {
        if (model.spec().imported()) {
            throw new IllegalArgumentException(model.name() + " is imported: it keeps its own parameter names");
        }
        if (DualBatchNorm.isDual(model)) {
            throw new IllegalArgumentException("a dual-BatchNorm (advprop) model has no PyTorch twin; load its checkpoint for "
                    + "inference (ordinary BatchNorm) first");
        }
        Map<String, Parameter> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : model.block().getParameters()) {
            out.put(of(p.getKey()), p.getValue());
        }
        return out;
    }
}
