package org.robustseg.cli.options;

/** {@code --box x,y,w,h}: a rectangle as column, row, width, height. */
public final class Boxes {
    private Boxes() {}

    /** The four integers x,y,w,h of {@code box}; the error names --box. */
    public static int[] parse(String box) {
        String[] p = box.split(",");
        if (p.length != 4) {
            throw new IllegalArgumentException("--box must be x,y,w,h, got '" + box + "'");
        }
        int[] v = new int[4];
        try {
            for (int i = 0; i < 4; i++) {
                v[i] = Integer.parseInt(p[i].trim());
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--box must be four integers x,y,w,h, got '" + box + "'");
        }
        return v;
    }
}
