// The Seed page: lists the logs of the seed folder, starts an import (a log on disk or an upload) with POST /api/seed,
// and follows it with GET /api/seed every second until it ends; Cancel stops the importer.
(function () {
  'use strict';

  const form = document.getElementById('seed-form');
  const fileSelect = document.getElementById('seed-file');
  const upload = document.getElementById('seed-upload');
  const error = document.getElementById('seed-error');
  const cancel = document.getElementById('seed-cancel');
  let timer = null;

  const { number, signInAgain, problemOf, showMessage } = DashboardPage;
  const show = (id, text) => { document.getElementById(id).textContent = text; };

  function source() {
    return form.querySelector('input[name=source]:checked').value;
  }

  function chosenName() {
    if (source() === 'upload') {
      return upload.files.length > 0 ? upload.files[0].name : '';
    }
    return fileSelect.value;
  }

  function toggleCsv() {
    document.getElementById('seed-csv').hidden = !/\.csv(\.gz)?$/i.test(chosenName());
  }

  function fail(message) {
    showMessage(error, message);
  }

  async function loadFiles() {
    const response = await fetch('/api/seed/files', { headers: { Accept: 'application/json' } });
    if (response.status === 401) {
      signInAgain();
      return;
    }
    const body = await response.json();
    show('seed-directory', body.directory || 'no SEED_DIRECTORY set');
    show('seed-upload-limit', 'at most ' + number(body.uploadMaxBytes / 1048576) + ' MiB');
    fileSelect.replaceChildren();
    body.files.forEach((file) => {
      const option = document.createElement('option');
      option.value = file.path;
      option.textContent = file.path + ' (' + number(Math.round(file.bytes / 1024)) + ' KiB)';
      fileSelect.append(option);
    });
    toggleCsv();
  }

  function render(status) {
    const running = status.state === 'running';
    const busy = running || status.state === 'cancelling';
    cancel.disabled = !running;
    document.getElementById('seed-start').disabled = busy;
    if (status.state === 'idle') {
      return busy;
    }
    document.getElementById('seed-run').hidden = false;
    const state = document.getElementById('seed-state');
    state.textContent = status.state;
    state.className = 'state state-' + status.state;
    show('seed-run-file', status.file);
    show('seed-run-type', status.aggregateType);
    show('seed-started', status.startedAt + (status.endedAt ? ', ended ' + status.endedAt : ''));
    const p = status.progress || {};
    const bar = document.getElementById('seed-progress');
    const share = p.totalBytes > 0 ? Math.min(1, p.bytesRead / p.totalBytes) : 0;
    bar.value = status.state === 'succeeded' ? 1 : share;
    show('seed-share', (bar.value * 100).toFixed(1) + '% of the file read');
    show('seed-read', number(p.read));
    show('seed-sent', number(p.sent));
    show('seed-accepted', number(p.accepted));
    show('seed-rejected', number(p.rejected));
    show('seed-rate', number(p.eventsPerSecond));
    let outcome = status.outcome ? 'Exit status ' + status.exitStatus + ': ' + status.outcome : '';
    if (status.state === 'cancelled') {
      outcome = 'Cancelled after ' + number(p.sent) + ' events were sent; they stay recorded.';
    }
    show('seed-outcome', outcome);
    const summary = document.getElementById('seed-summary');
    summary.textContent = status.summary || '';
    summary.hidden = !status.summary;
    show('seed-messages', (status.messages || []).join('\n'));
    return busy;
  }

  async function refresh() {
    const response = await fetch('/api/seed', { headers: { Accept: 'application/json' } });
    if (!response.ok) {
      fail(await problemOf(response));
      return;
    }
    const running = render(await response.json());
    if (!running && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  }

  function follow() {
    if (timer === null) {
      timer = setInterval(refresh, 1000);
    }
    refresh();
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    fail('');
    const data = new FormData(form);
    if (source() === 'upload') {
      data.delete('file');
    } else {
      data.delete('upload');
    }
    // A field left empty is left out: the dashboard refuses a blank value rather than take it for none.
    for (const [name, value] of [...data.entries()]) {
      if (value === '') {
        data.delete(name);
      }
    }
    const response = await fetch('/api/seed', { method: 'POST', body: data });
    if (response.status !== 202) {
      fail(await problemOf(response));
      return;
    }
    render(await response.json());
    follow();
  });

  cancel.addEventListener('click', async () => {
    const response = await fetch('/api/seed/cancel', { method: 'POST' });
    if (!response.ok) {
      fail(await problemOf(response));
    }
    follow();
  });

  fileSelect.addEventListener('change', toggleCsv);
  upload.addEventListener('change', toggleCsv);
  form.querySelectorAll('input[name=source]').forEach((radio) => radio.addEventListener('change', toggleCsv));

  loadFiles();
  follow();
})();
