package org.robustseg.metric;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The figures of one evaluation, named as they appear in metrics.json.
 *
 * @param miou mean IoU over classes with a defined IoU
 * @param pixelAccuracy fraction of non-ignored pixels classified correctly
 * @param perClassIou IoU per class id (null when a class occurs neither in labels nor predictions)
 * @param pixels number of non-ignored pixels counted
 */
public record SegmentationMetrics(
        @JsonProperty("miou") double miou,
        @JsonProperty("pixel_accuracy") double pixelAccuracy,
        @JsonProperty("per_class_iou") java.util.List<Double> perClassIou,
        @JsonProperty("pixels") long pixels) {}
