// The dead-letter page: events.dlq with its headers and each group's resolution (GET /api/dead-letters); Retry and
// Skip POST through the dashboard to the worker that owns the group, whose answer is shown in the row.
(function () {
  'use strict';

  const { byId, signInAgain, showMessage: show } = DashboardPage;
  const answers = new Map();

  function cell(row, lines, className) {
    const td = row.insertCell();
    (Array.isArray(lines) ? lines : [lines]).forEach((line, index) => {
      if (index > 0) {
        td.appendChild(document.createElement('br'));
      }
      td.appendChild(document.createTextNode(line === null || line === undefined ? '' : String(line)));
    });
    if (className) {
      td.className = className;
    }
    return td;
  }

  function keyOf(letter) {
    const dead = letter.deadLetter;
    return dead.group + '/' + dead.sourcePartition + '/' + dead.sourceOffset;
  }

  async function load() {
    show(byId('error'), '');
    const response = await fetch('/api/dead-letters', { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    if (response.status === 401) {
      signInAgain();
      return;
    }
    const body = await response.json();
    if (!response.ok) {
      show(byId('error'), body.detail || 'the dead letters could not be read (' + response.status + ')');
      return;
    }
    render(body);
  }

  function render(listing) {
    byId('total').textContent = listing.total === listing.shown ? String(listing.total)
      : listing.shown + ' newest of ' + listing.total;
    const workers = byId('workers');
    workers.replaceChildren();
    Object.entries(listing.workers).forEach(([group, worker]) => {
      const item = document.createElement('li');
      item.textContent = group + ': ' + worker.url + (worker.problem ? ' (' + worker.problem + ')' : '');
      workers.appendChild(item);
    });
    const body = byId('dead-letters').tBodies[0];
    body.replaceChildren();
    listing.deadLetters.forEach((letter) => body.appendChild(row(letter)));
  }

  function row(letter) {
    const dead = letter.deadLetter;
    const value = letter.value;
    const row = document.createElement('tr');
    row.dataset.group = dead.group || '';
    row.dataset.sourcePartition = dead.sourcePartition ?? '';
    row.dataset.sourceOffset = dead.sourceOffset ?? '';
    cell(row, ['partition ' + letter.partition + ' offset ' + letter.offset, letter.timestamp]);
    cell(row, dead.group, 'group');
    cell(row, [dead.sourceTopic + ' ' + dead.sourcePartition + '@' + dead.sourceOffset, dead.sourceTimestamp], 'source');
    cell(row, [dead.errorClass, dead.errorMessage], 'error-text');
    cell(row, dead.attempts, 'attempts');
    cell(row, value.decoded ? [value.aggregateType + ' ' + value.aggregateId, 'v' + value.aggregateVersion + ' '
      + value.type + (value.payloadProblem ? ' (payload: ' + value.payloadProblem + ')' : '')]
      : ['key ' + letter.key, 'undecodable: ' + value.reason]);
    cell(row, dead.resolution, 'resolution resolution-' + dead.resolution);
    row.appendChild(actions(letter));
    return row;
  }

  function actions(letter) {
    const td = document.createElement('td');
    td.className = 'actions';
    if (letter.deadLetter.actionable) {
      ['retry', 'skip'].forEach((action) => {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = action;
        button.textContent = action === 'retry' ? 'Retry' : 'Skip';
        button.addEventListener('click', () => decide(letter, action, td));
        td.appendChild(button);
      });
    }
    const answer = answers.get(keyOf(letter));
    if (answer) {
      td.appendChild(answerElement(answer));
    }
    return td;
  }

  function answerElement(answer) {
    const pre = document.createElement('pre');
    pre.className = 'answer' + (answer.ok ? '' : ' failed');
    pre.textContent = answer.action + ': ' + answer.status + ' ' + answer.body;
    return pre;
  }

  async function decide(letter, action, td) {
    const dead = letter.deadLetter;
    td.querySelectorAll('button').forEach((button) => { button.disabled = true; });
    const url = '/api/dead-letters/' + encodeURIComponent(dead.group) + '/' + encodeURIComponent(dead.sourcePartition)
      + '/' + encodeURIComponent(dead.sourceOffset) + '/' + action;
    const response = await fetch(url, { method: 'POST', headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    if (response.status === 401) {
      signInAgain();
      return;
    }
    answers.set(keyOf(letter), { action: action, status: response.status, ok: response.ok, body: await response.text() });
    await load();
  }

  byId('refresh').addEventListener('click', load);
  load();
}());
