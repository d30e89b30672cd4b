package org.robustseg.optim;

import java.util.Arrays;

/**
 * An axis-aligned rectangle of pixels in the one coordinate convention of the library's boxes
 * ({@link Mask#box}, {@code Hole.box}, the CLI's {@code --box x,y,w,h}): top-left corner at column
 * {@code x}, row {@code y}, {@code width} columns wide and {@code height} rows high. A box is never
 * empty, and one that leaves the image it is applied to is an error rather than silently clipped,
 * so a mistyped box cannot quietly attack or inpaint fewer pixels than asked.
 *
 * @param x leftmost column, &gt;= 0
 * @param y top row, &gt;= 0
 * @param width number of columns, &gt;= 1
 * @param height number of rows, &gt;= 1
 */
public record Box(int x, int y, int width, int height) {

    public Box {
        if (width < 1 || height < 1 || x < 0 || y < 0) {
            throw new IllegalArgumentException("box x,y,w,h = " + x + "," + y + "," + width + "," + height
                    + " is empty or starts outside the image (needs w,h >= 1, x >= 0, y >= 0)");
        }
    }

    /**
     * The box, checked against an image of {@code imageHeight}×{@code imageWidth} it must lie
     * inside; every violation, empty box included, is reported with the image's size.
     */
    public static Box inside(int x, int y, int width, int height, int imageHeight, int imageWidth) {
        if (width < 1 || height < 1 || x < 0 || y < 0 || x + width > imageWidth || y + height > imageHeight) {
            throw new IllegalArgumentException("box x,y,w,h = " + x + "," + y + "," + width + "," + height + " does not lie inside the "
                    + imageWidth + "x" + imageHeight + " image (needs w,h >= 1, x >= 0, y >= 0, x+w <= " + imageWidth + ", y+h <= "
                    + imageHeight + ")");
        }
        return new Box(x, y, width, height);
    }

    /**
     * The row-major membership of this box in an image of {@code imageHeight}×{@code imageWidth};
     * throws when the box does not lie inside that image.
     */
    public boolean[] pixels(int imageHeight, int imageWidth) {
        inside(x, y, width, height, imageHeight, imageWidth);
        boolean[] in = new boolean[imageHeight * imageWidth];
        for (int r = y; r < y + height; r++) {
            Arrays.fill(in, r * imageWidth + x, r * imageWidth + x + width, true);
        }
        return in;
    }
}
