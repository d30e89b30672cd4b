package org.robustseg.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Random;
import org.robustseg.data.SegSample;

/**
 * Training-time joint image+label augmentation settings: random scale in
 * [minScale, maxScale] then a crop back to the sample's size (labels padded with 255),
 * and horizontal flip.
 */
public record Augmentation(
        @JsonProperty("min_scale") float minScale,
        @JsonProperty("max_scale") float maxScale,
        @JsonProperty("flip") boolean flip) {

    public static Augmentation defaults() {
        return new Augmentation(1f, 1f, true);
    }

    public static Augmentation none() {
        return new Augmentation(1f, 1f, false);
    }

    /** Applies these settings to one sample with the given randomness. */
    public SegSample apply(SegSample s, Random rng) {
        return AugmentationPipeline.apply(this, s, rng);
    }
}
