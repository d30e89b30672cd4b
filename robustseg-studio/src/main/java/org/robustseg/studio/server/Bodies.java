package org.robustseg.studio.server;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.robustseg.studio.workspace.ApiException;

/** Request bodies read with a size limit: a body over it is refused with 413 before it is read whole. */
final class Bodies {
    private Bodies() {}

    /** The body, at most {@code limit} bytes; {@code what} names it in the 413 ("JSON body", "image"). */
    static byte[] read(Context ctx, long limit, String what) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > limit) {
            throw tooLarge(declared + " bytes", limit, what);
        }
        try (InputStream in = ctx.bodyInputStream()) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (bytes.length > limit) {
                throw tooLarge("more than " + limit + " bytes", limit, what);
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ApiException tooLarge(String size, long limit, String what) {
        return new ApiException(413, "the " + what + " is " + size + "; the studio takes at most " + limit + " bytes ("
                + (limit >= 1 << 20 ? (limit >> 20) + " MiB" : (limit >> 10) + " KiB") + ")");
    }
}
