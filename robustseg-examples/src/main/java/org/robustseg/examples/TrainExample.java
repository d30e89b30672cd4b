package org.robustseg.examples;

import java.nio.file.Path;
import org.robustseg.attack.Norm;
import org.robustseg.data.DataSets;
import org.robustseg.data.FashionScenes;
import org.robustseg.data.SegDataset;
import org.robustseg.data.Split;
import org.robustseg.train.Recipe;
import org.robustseg.train.RecipeConfig;
import org.robustseg.train.RunMode;
import org.robustseg.train.TrainConfig;
import org.robustseg.train.Trainer;

/**
 * Writes a FashionScenes data set and trains a standard and a PGD-AT model on it, as the demo
 * does at a larger scale. Usage: {@code TrainExample [WORK_DIR [TRAIN_IMAGES [EPOCHS]]]}.
 */
public final class TrainExample {
    private TrainExample() {}

    /**
     * What {@link #train} leaves behind.
     *
     * @param data the data set's root
     * @param standard the standard model's final checkpoint
     * @param robust the PGD-AT model's final checkpoint
     */
    public record Trained(Path data, Path standard, Path robust) {}

    // tag::train[]
    /** Writes a data set into {@code work}, trains a standard model on it and fine-tunes that with PGD-AT. */
    public static Trained train(Path work, int trainImages, int valImages, int epochs) {
        Path data = work.resolve("data");
        FashionScenes.builder().trainSize(trainImages).valSize(valImages).seed(0).build().write(data);
        SegDataset train = DataSets.inMemory(DataSets.open(data, Split.TRAIN));
        SegDataset val = DataSets.open(data, Split.VAL);
        TrainConfig config = TrainConfig.builder("pspnet-lite").epochs(epochs).batchSize(8).seed(0).build();
        Path standard = new Trainer(config, train, val).run(work.resolve("standard"), RunMode.FRESH);

        // robust training: the same Trainer with a recipe, fine-tuned from the standard model
        RecipeConfig pgdAt = RecipeConfig.builder(Recipe.PGD_AT).norm(Norm.LINF).eps(8 / 255f).steps(3).build();
        TrainConfig robustConfig = config.toBuilder().recipe(pgdAt).learningRate(0.02f).build();
        Path robust = new Trainer(robustConfig, train, val).initFrom(standard).run(work.resolve("robust"), RunMode.FRESH);
        return new Trained(data, standard, robust);
    }
    // end::train[]

    public static void main(String[] args) {
        Path work = Path.of(args.length > 0 ? args[0] : "runs/example");
        int images = args.length > 1 ? Integer.parseInt(args[1]) : 512;
        int epochs = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        Trained t = train(work, images, 64, epochs);
        System.out.println("standard: " + t.standard() + "\nrobust:   " + t.robust());
    }
}
