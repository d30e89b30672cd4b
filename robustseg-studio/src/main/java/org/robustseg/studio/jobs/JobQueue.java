package org.robustseg.studio.jobs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicLong;
import org.robustseg.cli.Errors;
import org.robustseg.data.DataException;
import org.robustseg.engine.EngineGuard;
import org.robustseg.provenance.Json;
import org.robustseg.provenance.Provenance;
import org.robustseg.studio.workspace.ApiException;
import org.robustseg.studio.workspace.StudioModel;
import org.robustseg.studio.workspace.Workspace;

/**
 * The bounded job queue: one worker thread runs one job at a time (two cores serve one
 * optimisation best, and the models are shared), at most {@link Limits#maxQueued()} wait behind
 * it and one more is refused with 429. Finished jobs stay readable for the last
 * {@link Limits#history()} jobs. A job is stopped between two steps of the loop by the stop
 * button, its time limit, or its page going away; whatever ends it, its native memory is freed
 * before the next job starts.
 */
public final class JobQueue implements AutoCloseable {
    private final Workspace ws;
    private final Limits limits;
    private final Modes modes;
    private final Deque<Job> waiting = new ArrayDeque<>();
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final Thread worker;
    private Job running;
    private boolean closed;

    public JobQueue(Workspace ws, Limits limits) {
        this.ws = ws;
        this.limits = limits;
        this.modes = new Modes(ws);
        this.worker = new Thread(this::work, "studio-worker");
        worker.setDaemon(true);
        worker.start();
    }

    public Limits limits() {
        return limits;
    }

    /** Queues a checked request; 429 when {@link Limits#maxQueued()} jobs already wait. */
    public synchronized Job submit(JobRequest request) {
        if (closed) {
            throw new ApiException(503, "the studio is shutting down");
        }
        if (waiting.size() >= limits.maxQueued()) {
            throw new ApiException(429, waiting.size() + " job(s) are waiting, the most the studio queues (--max-queued "
                    + limits.maxQueued() + "): wait for one to finish or stop one");
        }
        Job job = new Job("j" + ids.incrementAndGet(), request);
        jobs.put(job.id(), job);
        waiting.addLast(job);
        notifyAll();
        return job;
    }

    /** The job with this id; 404 when unknown or forgotten. */
    public synchronized Job find(String id) {
        Job job = jobs.get(id);
        if (job == null) {
            throw ApiException.notFound("no job '" + id + "' (unknown, or older than the last " + limits.history() + " jobs)");
        }
        return job;
    }

    /** 1-based place of a waiting job in the queue (0 when it is not waiting). */
    public synchronized int position(Job job) {
        int i = 1;
        for (Job j : waiting) {
            if (j == job) {
                return i;
            }
            i++;
        }
        return 0;
    }

    /**
     * Stops a job: a waiting one leaves the queue at once, a running one stops before its next
     * step. 409 when it has already ended.
     */
    public Job cancel(String id, String why) {
        Job job;
        boolean dequeued;
        synchronized (this) {
            job = find(id);
            dequeued = waiting.remove(job);
        }
        if (!job.requestStop(why)) {
            throw new ApiException(409, "job " + id + " has already ended (" + job.status() + ")");
        }
        if (dequeued) {
            job.finish(Job.Status.CANCELLED, why, null);
            remember();
        }
        return job;
    }

    /** Counts of waiting and running jobs, and the recent jobs' statuses. */
    public synchronized ObjectNode overview() {
        ObjectNode o = Json.object();
        o.put("running", running == null ? null : running.id());
        o.put("waiting", waiting.size());
        ArrayNode list = o.putArray("jobs");
        for (Job j : jobs.values()) {
            list.add(j.statusJson(position(j)));
        }
        return o;
    }

    private void work() {
        EngineGuard.engineThread(); // no autograd graph for predictions on this thread
        while (true) {
            Job job;
            synchronized (this) {
                while (waiting.isEmpty() && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                job = waiting.pollFirst();
                running = job;
            }
            try {
                run(job);
            } finally {
                synchronized (this) {
                    running = null;
                }
                remember();
            }
        }
    }

    private void run(Job job) {
        JobRequest r = job.request();
        job.start(limits.jobSeconds());
        try {
            String early = job.stopReason(); // stopped between being taken from the queue and starting
            if (early != null) {
                throw new CancellationException(early);
            }
            for (String name : r.models()) {
                StudioModel m = ws.model(name);
                job.checkStop();
                int h = r.input() != null ? r.input().height() : ws.size();
                int w = r.input() != null ? r.input().width() : ws.size();
                job.result(name, modes.run(r, m, new ProgressRecorder(job, name, r.steps(), h, w)));
            }
            job.finish(Job.Status.DONE, null, provenance(r));
        } catch (CancellationException e) {
            job.finish(Job.Status.CANCELLED, e.getMessage(), provenance(r));
        } catch (ApiException | IllegalArgumentException | DataException e) {
            job.finish(Job.Status.FAILED, e.getMessage(), provenance(r));
        } catch (RuntimeException | OutOfMemoryError e) {
            job.finish(Job.Status.FAILED, "internal error: " + Errors.oneLine(e), provenance(r));
        }
    }

    /** What produced a job's results: tool, commit, engine, settings, seed, models and data. */
    private ObjectNode provenance(JobRequest r) {
        Provenance p = Provenance.of("studio").config(r.given()).seed(r.seed());
        ArrayNode ids = Json.MAPPER.createArrayNode();
        for (String name : r.models()) {
            StudioModel m = ws.model(name);
            ObjectNode id = m.checkpoint().identity();
            id.put("name", name);
            ids.add(id);
        }
        p.put("checkpoints", ids);
        if (r.input() != null) {
            p.put("input", Json.MAPPER.createObjectNode().put("ref", r.input().ref()).put("description", r.input().description()));
        }
        if (ws.scenes().data() != null) {
            p.dataset("scenes", ws.scenes().data().name(), ws.scenes().data().size(), ws.scenes().data().contentHash());
        }
        return p.toJson();
    }

    /** Forgets the oldest finished jobs beyond the history limit. */
    private synchronized void remember() {
        int finished = 0;
        for (Job j : jobs.values()) {
            finished += j.status().terminal() ? 1 : 0;
        }
        for (Iterator<Job> it = jobs.values().iterator(); it.hasNext() && finished > limits.history(); ) {
            Job j = it.next();
            if (j.status().terminal()) {
                it.remove();
                finished--;
            }
        }
    }

    /** Stops the running job and refuses new ones; waiting jobs are cancelled. */
    @Override
    public void close() {
        List<Job> stop;
        synchronized (this) {
            closed = true;
            stop = new ArrayList<>(waiting);
            waiting.clear();
            if (running != null) {
                running.requestStop("the studio is shutting down");
            }
            notifyAll();
        }
        stop.forEach(j -> {
            j.requestStop("the studio is shutting down");
            j.finish(Job.Status.CANCELLED, "the studio is shutting down", null);
        });
        try {
            worker.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
