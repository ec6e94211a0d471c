// The Sync page: starts a read-model rebuild (all views or the chosen ones) with POST /api/sync/rebuild and an archive
// verification with POST /api/sync/verify, and follows both through GET /api/sync every second until they end.
(function () {
  'use strict';

  const error = document.getElementById('sync-error');
  let viewsShown = false;

  const { number, signInAgain, problemOf, showMessage } = DashboardPage;
  const show = (id, text) => { document.getElementById(id).textContent = text; };

  function fail(message) {
    showMessage(error, message);
  }

  function showViews(views) {
    if (viewsShown) {
      return;
    }
    viewsShown = true;
    const box = document.getElementById('rebuild-views');
    views.forEach((view) => {
      const label = document.createElement('label');
      const box_ = document.createElement('input');
      box_.type = 'checkbox';
      box_.name = 'view';
      box_.value = view;
      label.append(box_, ' ' + view);
      box.append(label);
    });
  }

  function times(job) {
    return 'started ' + (job.startedAt || '–') + (job.endedAt ? ', ended ' + job.endedAt : '');
  }

  function state(prefix, job) {
    const element = document.getElementById(prefix + '-state');
    element.textContent = job.state;
    element.className = 'state state-' + job.state;
  }

  function bar(prefix, done, total, finished) {
    const progress = document.getElementById(prefix + '-progress');
    progress.value = finished ? 1 : (total > 0 ? Math.min(1, done / total) : 0);
    show(prefix + '-share', total > 0 ? number(done) + ' of ' + number(total) : '');
  }

  function renderRebuild(job) {
    document.getElementById('rebuild').hidden = !job;
    if (!job) {
      return false;
    }
    state('rebuild', job);
    const p = job.progress || {};
    show('rebuild-phase', p.phase ? '(' + p.phase + ')' : '');
    bar('rebuild', p.offsetsRead, p.offsetsTotal, job.state === 'succeeded');
    show('rebuild-times', times(job));
    let result = '';
    if (job.result) {
      result = 'Swapped in ' + job.result.tables.join(', ') + '; ' + number(p.eventsApplied) + ' events applied.';
    } else if (job.error) {
      result = job.error;
    }
    show('rebuild-result', result);
    return job.state === 'running';
  }

  function renderVerification(job) {
    document.getElementById('verification').hidden = !job;
    if (!job) {
      return false;
    }
    state('verification', job);
    const p = job.progress || {};
    show('verification-phase', p.phase ? '(' + p.phase + ')' : '');
    const reading = p.phase === 'topic';
    bar('verification', reading ? p.recordsRead : p.objectsChecked, reading ? p.offsetsTotal : p.objectsTotal,
      job.state === 'succeeded');
    show('verification-times', times(job));
    const report = job.result;
    document.getElementById('verification-summary').hidden = !report;
    if (report) {
      show('verification-segments', number(report.segments));
      show('verification-events', number(report.events));
      show('verification-problems', number(report.problems.length));
      show('verification-sound', report.sound ? 'yes' : 'no');
      const list = document.getElementById('verification-problem-list');
      list.replaceChildren(...report.problems.map((problem) => {
        const item = document.createElement('li');
        item.textContent = problem;
        return item;
      }));
    }
    show('verification-error', job.error || '');
    return job.state === 'running';
  }

  async function refresh() {
    const response = await fetch('/api/sync', { headers: { Accept: 'application/json' } });
    if (response.status === 401) {
      signInAgain();
      return;
    }
    const body = await response.json();
    showViews(body.views);
    const running = [renderRebuild(body.rebuild), renderVerification(body.verification)];
    document.getElementById('rebuild-start').disabled = running[0];
    document.getElementById('verify-start').disabled = running[1];
  }

  async function start(url, body) {
    fail('');
    const response = await fetch(url, { method: 'POST', body });
    if (response.status !== 202) {
      fail(await problemOf(response));
    }
    refresh();
  }

  document.getElementById('rebuild-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = new URLSearchParams();
    document.querySelectorAll('#rebuild-views input:checked').forEach((box) => form.append('view', box.value));
    start('/api/sync/rebuild', form);
  });
  document.getElementById('verify-start').addEventListener('click', () => start('/api/sync/verify', new URLSearchParams()));

  refresh();
  setInterval(refresh, 1000);
})();
