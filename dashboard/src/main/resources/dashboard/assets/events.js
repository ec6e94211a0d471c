// The events page: one aggregate's head state and events (GET /api/aggregates/{type}/{id}), and a page through a
// partition of events.all or events.dlq (GET /api/topics/{topic}/partitions/{p}). The URL's query keeps what is shown.
(function () {
  'use strict';

  const { byId, signInAgain, getJson, showMessage: show } = DashboardPage;
  // The offsets of the pages Next came from: offsets count commit markers too, so only these lead back exactly.
  const visited = [];
  let page = null;

  function cell(row, text, className) {
    const td = row.insertCell();
    td.textContent = text === null || text === undefined ? '' : String(text);
    if (className) {
      td.className = className;
    }
    return td;
  }

  function jsonCell(row, value) {
    const pre = document.createElement('pre');
    pre.className = 'json';
    pre.textContent = JSON.stringify(value, null, 2);
    row.insertCell().appendChild(pre);
  }

  function remember(params) {
    const search = new URLSearchParams(window.location.search);
    Object.entries(params).forEach(([name, value]) => search.set(name, value));
    window.history.replaceState(null, '', window.location.pathname + '?' + search.toString());
  }

  async function findAggregate(type, id) {
    show(byId('aggregate-error'), '');
    remember({ type: type, id: id });
    try {
      const history = await getJson('/api/aggregates/' + encodeURIComponent(type) + '/' + encodeURIComponent(id));
      renderAggregate(history);
    } catch (e) {
      byId('aggregate').hidden = true;
      show(byId('aggregate-error'), e.message);
    }
  }

  function renderAggregate(history) {
    byId('aggregate').hidden = false;
    show(byId('head-problem'), history.headProblem);
    byId('head').textContent = history.head ? JSON.stringify(history.head, null, 2) : '';
    byId('event-count').textContent = '(' + history.events.length + ')';
    const scan = history.scan;
    byId('scan').textContent = history.eventsProblem || (history.topic + ' partition ' + history.partition + ': '
      + scan.recordsRead + ' records read, offsets ' + scan.fromOffset + ' to ' + scan.nextOffset
      + (scan.complete ? ', the whole partition' : ', stopped short of its end ' + scan.endOffset
      + ' (at most ' + scan.maxRecords + ' records per lookup)'));
    const body = byId('events').tBodies[0];
    body.replaceChildren();
    history.events.forEach((event) => {
      const value = event.value;
      const row = body.insertRow();
      row.dataset.version = value.aggregateVersion;
      cell(row, value.aggregateVersion, 'version');
      cell(row, value.type, 'type');
      cell(row, value.occurredAt);
      cell(row, value.recordedAt);
      cell(row, value.eventId);
      cell(row, event.offset);
      jsonCell(row, value.payload !== null ? value.payload : { payloadProblem: value.payloadProblem });
    });
    const undecodable = byId('undecodable').tBodies[0];
    undecodable.replaceChildren();
    history.undecodable.forEach((record) => {
      const row = undecodable.insertRow();
      cell(row, record.offset);
      cell(row, record.timestamp);
      jsonCell(row, record.value);
    });
    byId('undecodable-section').hidden = history.undecodable.length === 0;
  }

  async function loadPage(offset) {
    const topic = byId('topic').value;
    const partition = byId('partition').value || '0';
    const size = byId('size').value;
    show(byId('partition-error'), '');
    const search = new URLSearchParams({ size: size });
    if (offset !== '' && offset !== null && offset !== undefined) {
      search.set('offset', offset);
    }
    try {
      page = await getJson('/api/topics/' + encodeURIComponent(topic) + '/partitions/' + encodeURIComponent(partition)
        + '?' + search.toString());
      remember({ topic: topic, partition: partition, offset: String(page.offset) });
      renderPage(page);
    } catch (e) {
      page = null;
      byId('records').tBodies[0].replaceChildren();
      byId('previous').disabled = true;
      byId('next').disabled = true;
      show(byId('partition-error'), e.message);
    }
  }

  function headerList(headers) {
    const list = document.createElement('ul');
    list.className = 'headers';
    headers.forEach((header) => {
      const item = document.createElement('li');
      item.textContent = header.name + ': ' + header.value;
      list.appendChild(item);
    });
    return list;
  }

  function renderPage(shown) {
    byId('offset').value = shown.offset;
    byId('page-info').textContent = shown.topic + ' partition ' + shown.partition + ' of ' + shown.partitions
      + ': offsets ' + shown.beginningOffset + ' to ' + shown.endOffset + ', ' + shown.records.length
      + ' records from offset ' + shown.offset;
    const body = byId('records').tBodies[0];
    body.replaceChildren();
    shown.records.forEach((record) => {
      const row = body.insertRow();
      row.dataset.offset = record.offset;
      cell(row, record.offset, 'offset');
      cell(row, record.timestamp);
      cell(row, record.key);
      row.insertCell().appendChild(headerList(record.headers));
      jsonCell(row, record.value);
      if (!record.value.decoded) {
        row.classList.add('undecodable');
      }
    });
    byId('previous').disabled = shown.previousOffset === null && visited.length === 0;
    byId('next').disabled = shown.nextOffset === null;
  }

  byId('aggregate-form').addEventListener('submit', (event) => {
    event.preventDefault();
    findAggregate(byId('aggregate-type').value.trim(), byId('aggregate-id').value);
  });
  byId('partition-form').addEventListener('submit', (event) => {
    event.preventDefault();
    visited.length = 0;
    loadPage(byId('offset').value);
  });
  byId('previous').addEventListener('click', () => {
    if (page) {
      loadPage(visited.length > 0 ? visited.pop() : page.previousOffset);
    }
  });
  byId('next').addEventListener('click', () => {
    if (page) {
      visited.push(page.offset);
      loadPage(page.nextOffset);
    }
  });

  const query = new URLSearchParams(window.location.search);
  if (query.get('topic')) {
    byId('topic').value = query.get('topic');
    byId('partition').value = query.get('partition') || '0';
    loadPage(query.get('offset'));
  }
  if (query.get('type') && query.get('id')) {
    byId('aggregate-type').value = query.get('type');
    byId('aggregate-id').value = query.get('id');
    findAggregate(query.get('type'), query.get('id'));
  }
}());
