/**
 * The studio's HTTP side on Javalin (Jetty): the JSON API the page is the first client of, the
 * page's own files served from the jar, the server-sent event stream of a job's progress, and the
 * transport's safety (request-size limits, local Host names only, JSON and image content types).
 * Depends on the jobs and the workspace; computes nothing itself.
 */
package org.robustseg.studio.server;
