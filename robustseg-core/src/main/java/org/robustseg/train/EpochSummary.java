package org.robustseg.train;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * The figures of one finished epoch, kept in every later checkpoint's history.
 *
 * @param epoch 1-based epoch number
 * @param losses mean of each loss part over the epoch's steps (e.g. "clean", "adv")
 * @param learningRate learning rate at the epoch's last step
 * @param valMiou validation mIoU after the epoch (clean), or null if not evaluated
 * @param valExtra further validation figures (e.g. a quick robust accuracy), may be empty
 * @param seconds wall time of the epoch's training steps (excluding validation)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EpochSummary(
        @JsonProperty("epoch") int epoch,
        @JsonProperty("losses") Map<String, Double> losses,
        @JsonProperty("lr") double learningRate,
        @JsonProperty("val_miou") Double valMiou,
        @JsonProperty("val_extra") Map<String, Double> valExtra,
        @JsonProperty("seconds") double seconds) {}
