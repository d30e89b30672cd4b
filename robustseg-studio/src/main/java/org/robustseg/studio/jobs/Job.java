package org.robustseg.studio.jobs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import org.robustseg.provenance.Json;

/**
 * One job's live state: queued, running, then done, cancelled or failed; per model its progress
 * and result. Every change bumps a version and wakes the threads waiting for one (the event
 * streams), so a page sees progress as it happens without the job ever waiting for a page.
 *
 * <p>Stopping is cooperative: {@link #requestStop} records why, and the loop's listener
 * ({@link #checkStop}) throws between two steps, which frees the run's native memory on the way out.
 */
public final class Job {
    /** Where a job is in its life. */
    public enum Status {
        QUEUED, RUNNING, DONE, CANCELLED, FAILED;

        public boolean terminal() {
            return this == DONE || this == CANCELLED || this == FAILED;
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final String id;
    private final JobRequest request;
    private final Instant created = Instant.now();
    private final Map<String, ModelRun> runs = new LinkedHashMap<>();
    private Status status = Status.QUEUED;
    private String message;
    private Instant started;
    private Instant finished;
    private long version;
    private ObjectNode provenance;
    private volatile String stopReason;
    private volatile long deadlineNanos = Long.MAX_VALUE;
    private int watchers;

    Job(String id, JobRequest request) {
        this.id = id;
        this.request = request;
        for (String m : request.models()) {
            runs.put(m, new ModelRun(m, request.steps()));
        }
    }

    public String id() {
        return id;
    }

    public JobRequest request() {
        return request;
    }

    public synchronized Status status() {
        return status;
    }

    public synchronized long version() {
        return version;
    }

    // ---- the worker's side ----

    synchronized void start(int seconds) {
        status = Status.RUNNING;
        started = Instant.now();
        deadlineNanos = System.nanoTime() + seconds * 1_000_000_000L;
        changed();
    }

    synchronized void finish(Status end, String why, ObjectNode record) {
        if (status.terminal()) {
            return;
        }
        status = end;
        message = why;
        finished = Instant.now();
        provenance = record;
        changed();
    }

    synchronized void progress(String model, int step, int steps, float loss, String image) {
        ModelRun r = runs.get(model);
        r.step = step;
        r.steps = steps;
        r.loss.add(loss);
        if (image != null) {
            r.image = image;
        }
        r.version = ++version;
        notifyAll();
    }

    synchronized void result(String model, ObjectNode result) {
        ModelRun r = runs.get(model);
        r.result = result;
        r.step = r.steps;
        r.version = ++version;
        notifyAll();
    }

    /** Throws when the job was asked to stop or ran past its time limit; called between two steps. */
    void checkStop() {
        String why = stopReason;
        if (why == null && System.nanoTime() > deadlineNanos) {
            why = "stopped at the time limit";
            stopReason = why;
        }
        if (why != null) {
            throw new CancellationException(why);
        }
    }

    // ---- the clients' side ----

    /** Asks a queued or running job to stop; false when it has already ended. */
    synchronized boolean requestStop(String why) {
        if (status.terminal()) {
            return false;
        }
        if (stopReason == null) {
            stopReason = why;
        }
        return true;
    }

    /** Why a stop was asked for, or null. */
    String stopReason() {
        return stopReason;
    }

    /** An event stream starts watching; returns the number of watchers. */
    public synchronized int watch() {
        return ++watchers;
    }

    /** An event stream stopped watching (its client went away); returns the watchers left. */
    public synchronized int unwatch() {
        return --watchers;
    }

    /** Waits up to {@code millis} for a version after {@code seen}; returns the current version. */
    public synchronized long awaitChange(long seen, long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000L;
        while (version <= seen && !status.terminal()) {
            long left = (end - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                break;
            }
            wait(left);
        }
        return version;
    }

    /**
     * What changed after version {@code seen}, read at one instant: the version now, each changed
     * model as [progress with its latest image, result or null], and whether the job has ended. Read
     * under one lock, so an ending job's last results are never skipped.
     */
    public record Changes(long version, List<ObjectNode[]> models, boolean ended) {}

    public synchronized Changes changesSince(long seen) {
        List<ObjectNode[]> out = new ArrayList<>();
        for (ModelRun r : runs.values()) {
            if (r.version > seen) {
                out.add(new ObjectNode[] {r.progress(true), r.result});
            }
        }
        return new Changes(version, out, status.terminal());
    }

    /** Status, message and queue position, as the "status" and "end" events carry them. */
    public synchronized ObjectNode statusJson(int position) {
        ObjectNode o = Json.object();
        o.put("id", id);
        o.put("mode", request.mode().toString());
        o.put("status", status.toString());
        if (message != null) {
            o.put("message", message);
        }
        if (status == Status.QUEUED) {
            o.put("position", position);
        }
        if (started != null) {
            o.put("seconds", Duration.between(started, finished != null ? finished : Instant.now()).toMillis() / 1000.0);
        }
        return o;
    }

    /**
     * The whole job: status, the request as given, every model's progress and result, and, once
     * ended, the provenance: what the page's download button saves.
     */
    public synchronized ObjectNode toJson(int position) {
        ObjectNode o = statusJson(position);
        o.put("created", created.toString());
        if (started != null) {
            o.put("started", started.toString());
        }
        if (finished != null) {
            o.put("finished", finished.toString());
        }
        o.set("request", request.given());
        ArrayNode models = o.putArray("models");
        for (ModelRun r : runs.values()) {
            ObjectNode m = r.progress(r.result == null);
            if (r.result != null) {
                m.set("result", r.result);
            }
            models.add(m);
        }
        if (provenance != null) {
            o.set("provenance", provenance);
        }
        return o;
    }

    private void changed() {
        version++;
        notifyAll();
    }
}
