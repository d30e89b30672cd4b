package org.robustseg.studio.workspace;

/**
 * A request the studio refuses, with the HTTP status to answer and one line saying why (naming
 * the field or value at fault). The server turns it into {@code {"error": message}}.
 */
public final class ApiException extends RuntimeException {
    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** 400: the request is malformed or names something unknown. */
    public static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }

    /** 404: no such scene or job. */
    public static ApiException notFound(String message) {
        return new ApiException(404, message);
    }

    public int status() {
        return status;
    }
}
