// The overview: a snapshot from GET /api/overview every few seconds for the tables, and the samples of the last
// minutes from the server-sent events of /api/overview/stream for the charts.
(function () {
  'use strict';

  const { signInAgain } = DashboardPage;
  const samples = [];
  const rateChart = echarts.init(document.getElementById('rate-chart'));
  const lagChart = echarts.init(document.getElementById('lag-chart'));
  const WINDOW_MS = 5 * 60 * 1000;

  function cell(row, text, className) {
    const td = document.createElement('td');
    td.textContent = text === null || text === undefined ? '–' : String(text);
    if (className) {
      td.className = className;
    }
    row.append(td);
    return td;
  }

  function fill(tableId, items, render) {
    const body = document.querySelector('#' + tableId + ' tbody');
    body.replaceChildren();
    (items || []).forEach((item) => {
      const row = document.createElement('tr');
      render(row, item);
      body.append(row);
    });
  }

  function render(overview) {
    document.getElementById('sampled').textContent = 'Sampled at ' + overview.sampledAt;
    const problems = [overview.lagProblem, overview.archiveProblem].filter((p) => p);
    const box = document.getElementById('problems');
    box.textContent = problems.join(' · ');
    box.hidden = problems.length === 0;
    fill('processes', overview.processes, (row, p) => {
      row.dataset.process = p.name;
      cell(row, p.name);
      cell(row, p.health, 'health health-' + p.health);
      cell(row, p.url);
    });
    let total = 0;
    fill('lag', overview.lag, (row, l) => {
      total += l.lag;
      row.dataset.group = l.group;
      row.dataset.partition = String(l.partition);
      cell(row, l.group);
      cell(row, l.partition, 'number');
      cell(row, l.committed, 'number');
      cell(row, l.end, 'number');
      cell(row, l.lag, 'number lag');
      cell(row, l.lastAppliedAgeSeconds === null || l.lastAppliedAgeSeconds === undefined
        ? null : l.lastAppliedAgeSeconds.toFixed(1) + ' s ago', 'number');
    });
    document.getElementById('total-lag').textContent = overview.lag ? String(total) : '…';
    fill('archive', overview.archive, (row, a) => {
      cell(row, a.aggregateType);
      cell(row, a.segments, 'number');
      cell(row, a.lastSegment);
      cell(row, a.lastEventTime);
    });
  }

  function drawCharts() {
    const now = Date.now();
    const since = now - WINDOW_MS;
    while (samples.length > 0 && samples[0].time < since) {
      samples.shift();
    }
    rateChart.setOption({
      xAxis: { type: 'time', min: since, max: now },
      yAxis: { type: 'value', min: 0 },
      tooltip: { trigger: 'axis' },
      series: [{ type: 'line', showSymbol: true, symbolSize: 4, name: 'events/s',
        data: samples.filter((s) => s.eventsPerSecond !== undefined).map((s) => [s.time, s.eventsPerSecond]) }],
    });
    const groups = new Set();
    samples.forEach((s) => Object.keys(s.lag || {}).forEach((g) => groups.add(g)));
    lagChart.setOption({
      legend: {},
      xAxis: { type: 'time', min: since, max: now },
      yAxis: { type: 'value', min: 0 },
      tooltip: { trigger: 'axis' },
      series: Array.from(groups).map((group) => ({ type: 'line', showSymbol: true, symbolSize: 4, name: group,
        data: samples.filter((s) => s.lag && s.lag[group] !== undefined).map((s) => [s.time, s.lag[group]]) })),
    }, { replaceMerge: ['series'] });
  }

  function describe(verification) {
    if (!verification) {
      return 'none yet (start one on the Sync page)';
    }
    const report = verification.result;
    if (verification.state !== 'succeeded' || !report) {
      return verification.state + (verification.error ? ': ' + verification.error : '');
    }
    return (report.sound ? 'sound' : 'NOT sound') + ' at ' + report.checkedAt + ': '
      + report.segments.toLocaleString('en-US') + ' segments, ' + report.events.toLocaleString('en-US')
      + ' events, ' + report.problems.length + ' problems';
  }

  async function refreshVerification() {
    const response = await fetch('/api/sync/verification', { headers: { Accept: 'application/json' } });
    const text = document.getElementById('last-verification');
    if (response.ok) {
      const verification = await response.json();
      text.textContent = describe(verification);
      text.className = verification && verification.result && !verification.result.sound ? 'error' : '';
    } else if (response.status !== 401) {
      // The archiver did not answer or failed: say so rather than keep an answer that may be stale.
      text.textContent = 'unknown: ' + await DashboardPage.problemOf(response);
      text.className = 'error';
    }
  }

  async function refresh() {
    const response = await fetch('/api/overview', { headers: { Accept: 'application/json' } });
    if (response.status === 401) {
      signInAgain();
      return;
    }
    render(await response.json());
  }

  const stream = new EventSource('/api/overview/stream');
  stream.addEventListener('sample', (event) => {
    samples.push(JSON.parse(event.data));
    drawCharts();
  });

  refresh();
  setInterval(refresh, 2000);
  refreshVerification();
  setInterval(refreshVerification, 5000);
})();
