package org.robustseg.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.robustseg.attack.Norm;

/**
 * The JSON form of {@link TrainConfig} and {@link RecipeConfig} is what run.json and checkpoints
 * hold and what a resumed run is compared with: configurations made with the builders must write
 * exactly what the positional constructors of commit 8220405 wrote (the expected strings were
 * written by that commit's classes), and read back to equal configurations.
 */
class ConfigJsonTest {
    private static final ObjectMapper COMPACT = new ObjectMapper();

    private static TrainConfig config(RecipeConfig recipe) {
        return TrainConfig.builder("pspnet-lite").recipe(recipe).epochs(3).batchSize(8).seed(5).optimizer(OptimizerKind.ADAM)
                .learningRate(0.001f).momentum(0.8f).weightDecay(0f).polyPower(1f).auxWeight(0.3f)
                .augmentation(Augmentation.none()).build();
    }

    @Test
    void builtConfigurationsWriteTheRecordedJsonByteForByte() throws Exception {
        List<TrainConfig> configs = List.of(
                config(RecipeConfig.builder(Recipe.TRADES).norm(Norm.L2).eps(0.5f).steps(2).stepSize(0.1f).beta(3f).build()),
                config(RecipeConfig.builder(Recipe.SAT).advShare(0.25f).build()),
                config(RecipeConfig.of(Recipe.FAST_AT)),
                config(RecipeConfig.of(Recipe.STANDARD)));
        List<String> recorded = List.of(
                "{\"model\":\"pspnet-lite\",\"recipe\":{\"name\":\"trades\",\"norm\":\"l2\",\"eps\":0.5,\"attack_steps\":2,\"step_size\":0.1,\"random_start\":true,\"attack_bn\":\"eval\",\"beta\":3.0},\"epochs\":3,\"batch\":8,\"seed\":5,\"optimizer\":\"adam\",\"lr\":0.001,\"momentum\":0.8,\"weight_decay\":0.0,\"poly_power\":1.0,\"aux_weight\":0.3,\"augment\":{\"min_scale\":1.0,\"max_scale\":1.0,\"flip\":false,\"crop\":0}}",
                "{\"model\":\"pspnet-lite\",\"recipe\":{\"name\":\"sat\",\"norm\":\"linf\",\"eps\":0.03,\"attack_steps\":3,\"step_size\":0.01,\"random_start\":false,\"attack_bn\":\"training\",\"adv_share\":0.25},\"epochs\":3,\"batch\":8,\"seed\":5,\"optimizer\":\"adam\",\"lr\":0.001,\"momentum\":0.8,\"weight_decay\":0.0,\"poly_power\":1.0,\"aux_weight\":0.3,\"augment\":{\"min_scale\":1.0,\"max_scale\":1.0,\"flip\":false,\"crop\":0}}",
                "{\"model\":\"pspnet-lite\",\"recipe\":{\"name\":\"fast-at\",\"norm\":\"linf\",\"eps\":0.03137255,\"attack_steps\":1,\"step_size\":0.039215688,\"random_start\":true,\"attack_bn\":\"training\"},\"epochs\":3,\"batch\":8,\"seed\":5,\"optimizer\":\"adam\",\"lr\":0.001,\"momentum\":0.8,\"weight_decay\":0.0,\"poly_power\":1.0,\"aux_weight\":0.3,\"augment\":{\"min_scale\":1.0,\"max_scale\":1.0,\"flip\":false,\"crop\":0}}",
                "{\"model\":\"pspnet-lite\",\"recipe\":{\"name\":\"standard\"},\"epochs\":3,\"batch\":8,\"seed\":5,\"optimizer\":\"adam\",\"lr\":0.001,\"momentum\":0.8,\"weight_decay\":0.0,\"poly_power\":1.0,\"aux_weight\":0.3,\"augment\":{\"min_scale\":1.0,\"max_scale\":1.0,\"flip\":false,\"crop\":0}}");
        for (int i = 0; i < configs.size(); i++) {
            assertEquals(recorded.get(i), COMPACT.writeValueAsString(configs.get(i)));
            TrainConfig read = COMPACT.readValue(recorded.get(i), TrainConfig.class);
            assertEquals(configs.get(i), read);
            assertEquals(recorded.get(i), COMPACT.writeValueAsString(read));
        }
    }

    @Test
    void defaultsAreThePspNetRecipe() {
        TrainConfig d = TrainConfig.builder("pspnet-lite").build();
        assertEquals(new TrainConfig("pspnet-lite", RecipeConfig.of(Recipe.STANDARD), 30, 16, 0, OptimizerKind.SGD,
                org.robustseg.model.ModelZoo.architecture("pspnet-lite").defaultLearningRate(), 0.9f, 1e-4f, 0.9f, 0.4f,
                Augmentation.defaults()), d);
        assertEquals(0.001f, TrainConfig.builder("pspnet-lite").optimizer(OptimizerKind.ADAM).build().learningRate());
        assertEquals(d, d.toBuilder().build());
    }
}
