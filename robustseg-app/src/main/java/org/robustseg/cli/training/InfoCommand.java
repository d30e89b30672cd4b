package org.robustseg.cli.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.concurrent.Callable;
import org.robustseg.model.ModelZoo;
import org.robustseg.model.SegmentationModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./run info --model NAME}: parameter count and output shape of an architecture. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Describe a model architecture.")
public final class InfoCommand implements Callable<Integer> {
    @Option(names = "--model", description = "Architecture name; omit to list all.")
    String model;

    @Option(names = "--classes", defaultValue = "11", description = "Number of classes (default ${DEFAULT-VALUE}).")
    int classes;

    @Option(names = "--size", defaultValue = "64", description = "Input height and width for the shape check (default ${DEFAULT-VALUE}).")
    int size;

    @Override
    public Integer call() {
        if (model == null) {
            for (String name : ModelZoo.names()) {
                System.out.printf("%-22s %s%n", name, ModelZoo.architecture(name).description());
            }
            return 0;
        }
        ModelZoo.architecture(model);
        try (SegmentationModel m = SegmentationModel.create(model, classes, 0);
             NDManager sm = m.manager().newSubManager()) {
            Shape in = new Shape(1, 3, size, size);
            NDArray logits = m.logits(sm.zeros(in));
            System.out.printf("model        %s%n", model);
            System.out.printf("about        %s%n", ModelZoo.architecture(model).description());
            System.out.printf("parameters   %,d%n", m.parameterCount());
            System.out.printf("input        %s (images in [0,1])%n", in);
            System.out.printf("output       %s (logits)%n", logits.getShape());
        }
        return 0;
    }
}
