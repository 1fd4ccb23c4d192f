import { describe, expect, it } from "vitest";
import { ACTIVITY_HOURS, type ActivityHour, type SyncActivity } from "../../../src/directories/directory-activity.js";
import { niceMax, syncActivityChart } from "../../../src/http/console/sync-activity-chart.js";

// The chart drawing alone: data in, SVG markup and its accessible table out.

const START = Date.UTC(2026, 10, 24, 22);

function activity(fill: (i: number) => Partial<ActivityHour>, extra: Partial<SyncActivity> = {}): SyncActivity {
  return {
    hours: Array.from({ length: ACTIVITY_HOURS }, (_, i) => ({
      hour: new Date(START + i * 3600_000),
      requests: { ok: 0, clientErrors: 0, serverErrors: 0 },
      counts: { users: 0, groups: 0 },
      ...fill(i),
    })),
    requestsKnownSince: null,
    countsKnownSince: null,
    ...extra,
  };
}

describe("sync-activity chart", () => {
  it("rounds the axis to 1, 2 or 5 times a power of ten", () => {
    expect([0, 1, 3, 7, 10, 11, 180, 4999].map(niceMax)).toEqual([1, 1, 5, 10, 10, 20, 200, 5000]);
  });

  it("draws stacked bars per outcome and a line per count, with titles and the numbers of active hours", () => {
    const html = syncActivityChart(
      activity((i) =>
        i === 100
          ? { requests: { ok: 7, clientErrors: 2, serverErrors: 1 }, counts: { users: 5, groups: 1 } }
          : { counts: i > 100 ? { users: 5, groups: 1 } : { users: 3, groups: 1 } },
      ),
    ).value;
    expect(html.match(/<svg class="chart"[^>]* role="img" aria-labelledby="([^"]+)"/g)).toHaveLength(2);
    expect(html).toContain('<title id="sync-activity-requests-title">Authenticated SCIM requests per hour');
    expect(html).toContain('<title id="sync-activity-counts-title">Users (blue) and groups (purple)');
    // one bar per outcome in the busy hour, heights proportional to an axis of 10
    expect(html.match(/<rect [^>]*fill="#2e7d32"/g)).toHaveLength(1);
    expect(html.match(/<rect [^>]*fill="#b25e00"/g)).toHaveLength(1);
    expect(html.match(/<rect [^>]*fill="#c62828"/g)).toHaveLength(1);
    expect(html).toMatch(/height="92.4" fill="#2e7d32"/);
    expect(html.match(/<polyline /g)).toHaveLength(2);
    expect(html).toContain("2xx 7");
    expect(html).toContain("Users 5");
    // day ticks at midnight UTC
    expect(html).toContain(">11-25</text>");
    expect(html).toContain(
      '<tr><th scope="row">2026-11-29 02:00Z</th><td class="num">7</td><td class="num">2</td><td class="num">1</td><td class="num">5</td><td class="num">1</td></tr>',
    );
    expect(html.match(/<tr><th scope="row">/g)).toHaveLength(1);
    expect(html).not.toContain("pruned");
  });

  it("says when nothing happened", () => {
    const html = syncActivityChart(activity(() => ({}))).value;
    expect(html).toContain("No authenticated requests and no changes in the last 7 days.");
    expect(html).not.toContain("<rect x");
  });

  it("shades and explains hours the pruned logs no longer cover", () => {
    const html = syncActivityChart(
      activity((i) => (i < 48 ? { requests: null, counts: null } : {}), {
        requestsKnownSince: new Date(START + 48 * 3600_000),
        countsKnownSince: new Date(START + 47 * 3600_000),
      }),
    ).value;
    expect(html.match(/fill="#e6e9ed"/g)).toHaveLength(96);
    expect(html).toContain(">pruned</text>");
    expect(html).toContain("The request log was pruned: it holds this directory's requests since 2026-11-26 22:00Z");
    expect(html).toContain("Events older than 2026-11-26 21:00Z may have been pruned");
  });
});
