package org.robustseg.metric;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The per-image and per-object figures of one evaluation as written to robustness.json,
 * compare.json and the demo's summary ({@link ImageMetrics#figures}); per-class IoU is in the
 * evaluation's {@link SegmentationMetrics}. Undefined values (no image, no object of a size) are null.
 *
 * @param images images evaluated
 * @param imageMiou the mean over images of each image's mIoU (the image-normalised mIoU, NmIoU)
 * @param bySize per object size class (small, medium, large): objects, pooled IoU, mean object recall
 * @param worstImages the images with the lowest per-image mIoU, worst first
 */
public record ImageFigures(
        @JsonProperty("images") int images,
        @JsonProperty("image_miou") Double imageMiou,
        @JsonProperty("by_size") Map<String, Size> bySize,
        @JsonProperty("worst_images") List<Image> worstImages) {

    /** One object size class: objects counted, pooled IoU, mean object recall. */
    public record Size(@JsonProperty("objects") int objects, @JsonProperty("iou") Double iou,
                       @JsonProperty("mean_recall") Double meanRecall) {}

    /** One image: its index in the evaluated data set, its sample id, its mIoU and pixel accuracy. */
    public record Image(@JsonProperty("index") int index, @JsonProperty("id") String id, @JsonProperty("miou") double miou,
                        @JsonProperty("pixel_accuracy") Double pixelAccuracy) {}

    static Double orNull(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
