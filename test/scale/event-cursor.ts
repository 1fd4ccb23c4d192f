// Reads the events API the way a SaaS app does: GET /api/v1/events?after=<cursor> page after page, keeping the
// cursor. `until` decides when to stop once a page comes back empty (the reader has caught up).

export interface EventReader {
  ids: string[];
  pages: number;
  /** Answers that were not 200 (a replica restarting, the pooler restarting): the page is asked for again. */
  refusals: number;
}

export async function readEventLog(
  baseUrl: string,
  adminKey: string,
  until: () => boolean,
  reader: EventReader = { ids: [], pages: 0, refusals: 0 },
): Promise<EventReader> {
  let after: string | undefined;
  for (;;) {
    const query = new URLSearchParams({ limit: "500", ...(after ? { after } : {}) });
    let page: { data: { id: string }[]; nextCursor: string | null } | undefined;
    try {
      const res = await fetch(`${baseUrl}/api/v1/events?${query}`, { headers: { authorization: `Bearer ${adminKey}` } });
      if (res.status === 200) page = (await res.json()) as typeof page;
      else reader.refusals++;
    } catch {
      reader.refusals++;
    }
    if (!page) {
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    reader.pages++;
    for (const e of page.data) reader.ids.push(e.id);
    if (page.nextCursor) after = page.nextCursor;
    if (page.data.length === 0) {
      if (until()) return reader;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
