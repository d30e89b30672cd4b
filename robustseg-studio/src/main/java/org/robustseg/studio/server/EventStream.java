package org.robustseg.studio.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.sse.SseClient;
import java.util.HashSet;
import java.util.Set;
import org.robustseg.studio.jobs.Job;
import org.robustseg.studio.jobs.JobQueue;
import org.robustseg.studio.workspace.ApiException;

/**
 * A job's progress as server-sent events, on the request's own thread: {@code status} when the
 * job's state changes (queued with its position, running), {@code progress} per model with its
 * step, losses and latest image, {@code result} once per model, and {@code end} (done, cancelled
 * or failed, with the reason) before the stream closes. Changes are coalesced: a slow client
 * gets the latest state, never a backlog. A keep-alive comment every second finds a client that
 * went away; when the last watcher of an unfinished job goes, the job is stopped (no one would
 * see its result) and its memory freed.
 */
final class EventStream {
    static final long KEEP_ALIVE_MILLIS = 1000;

    private final JobQueue queue;

    EventStream(JobQueue queue) {
        this.queue = queue;
    }

    void stream(Job job, SseClient client) {
        job.watch();
        boolean ended = false;
        try {
            ended = follow(job, client);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (job.unwatch() == 0 && !ended && !job.status().terminal()) {
                try {
                    queue.cancel(job.id(), "stopped: the page that watched it went away");
                } catch (ApiException alreadyEnded) {
                    // it ended meanwhile: nothing to stop
                }
            }
        }
    }

    /** Sends events until the job ends (true) or the client goes away (false). */
    private boolean follow(Job job, SseClient client) throws InterruptedException {
        long seen = -1;
        String lastStatus = null;
        Set<String> resultsSent = new HashSet<>();
        while (!client.terminated()) {
            long now = job.awaitChange(seen, KEEP_ALIVE_MILLIS);
            ObjectNode status = job.statusJson(queue.position(job));
            String statusKey = status.path("status").asText() + "/" + status.path("position").asInt();
            if (!statusKey.equals(lastStatus)) {
                client.sendEvent("status", JsonText.of(status));
                lastStatus = statusKey;
            }
            if (now == seen) {
                client.sendComment("keep-alive");
                continue;
            }
            Job.Changes changes = job.changesSince(seen);
            for (ObjectNode[] change : changes.models()) {
                if (client.terminated()) {
                    return false; // gone in the middle of a batch of events: send no more
                }
                ObjectNode progress = change[0];
                client.sendEvent("progress", JsonText.of(progress));
                String model = progress.path("model").asText();
                if (change[1] != null && resultsSent.add(model)) {
                    ObjectNode result = change[1].deepCopy();
                    result.put("model", model);
                    client.sendEvent("result", JsonText.of(result));
                }
            }
            seen = changes.version();
            if (changes.ended()) {
                client.sendEvent("end", JsonText.of(job.statusJson(0)));
                return true;
            }
        }
        return false;
    }
}
