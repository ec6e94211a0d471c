// The data grid: Tabulator over GET /api/views/{view}, paged, sorted and filtered by the server. Tabulator's own
// persistence keeps each view's column visibility and order in the browser's local storage.
(function () {
  'use strict';

  const OPERATORS = { '=': 'eq', '!=': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge', like: 'contains' };
  const NUMERIC = ['bigint', 'integer', 'smallint', 'numeric', 'double precision', 'real'];
  const picker = document.getElementById('view');
  const total = document.getElementById('total');
  const exportLink = document.getElementById('export');
  const chooser = document.getElementById('column-chooser');
  const error = document.getElementById('error');
  let table = null;
  let funnel = null;
  const { signInAgain, getJson, showMessage } = DashboardPage;

  function showError(message) {
    showMessage(error, message);
  }

  // The query parameters of the endpoint from Tabulator's remote parameters; its pages count from 1, ours from 0.
  function query(params, paged) {
    const search = new URLSearchParams();
    if (paged) {
      search.set('page', String(params.page - 1));
      search.set('size', String(params.size));
    }
    const sorters = params.sort || [];
    if (sorters.length > 0) {
      search.set('sort', sorters.map((s) => (s.dir === 'desc' ? '-' : '') + s.field).join(','));
    }
    (params.filter || []).forEach((f) => {
      if (f.value !== '' && f.value !== null && f.value !== undefined) {
        search.append('filter', f.field + ':' + (OPERATORS[f.type] || 'contains') + ':' + f.value);
      }
    });
    return search;
  }

  function columnDefinition(column) {
    const numeric = NUMERIC.includes(column.type);
    return {
      title: column.name,
      field: column.name,
      visible: true,
      headerFilter: 'input',
      headerFilterFunc: numeric ? '=' : 'like',
      headerTooltip: (column.description ? column.description + ' ' : '') + '(' + column.type + ')',
      hozAlign: numeric ? 'right' : 'left',
    };
  }

  function fillChooser() {
    chooser.replaceChildren();
    table.getColumns().forEach((column) => {
      const field = column.getField();
      const label = document.createElement('label');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = column.isVisible();
      box.dataset.column = field;
      box.addEventListener('change', () => (box.checked ? column.show() : column.hide()));
      label.append(box, ' ' + field);
      chooser.append(label);
    });
  }

  async function show(view) {
    showError('');
    const url = new URL(window.location.href);
    url.searchParams.set('view', view);
    window.history.replaceState(null, '', url);
    if (table) {
      table.destroy();
      table = null;
    }
    let columns;
    try {
      columns = await getJson('/api/views/' + encodeURIComponent(view) + '/columns');
    } catch (e) {
      showError(e.message);
      return;
    }
    table = new Tabulator('#grid', {
      layout: 'fitDataStretch',
      height: '60vh',
      columns: columns.map(columnDefinition),
      movableColumns: true,
      persistence: { columns: ['visible'] },
      persistenceID: 'polyglot-view-' + view,
      persistenceMode: 'local',
      pagination: true,
      paginationMode: 'remote',
      paginationSize: 50,
      paginationSizeSelector: [25, 50, 100, 500],
      paginationCounter: 'rows',
      sortMode: 'remote',
      filterMode: 'remote',
      ajaxURL: '/api/views/' + encodeURIComponent(view),
      ajaxConfig: { method: 'GET', credentials: 'same-origin', headers: { Accept: 'application/json' } },
      ajaxURLGenerator: (base, config, params) => {
        exportLink.href = '/api/views/' + encodeURIComponent(view) + '.csv?' + query(params, false);
        return base + '?' + query(params, true);
      },
      ajaxResponse: (url, params, response) => {
        total.textContent = String(response.total);
        total.dataset.total = String(response.total);
        return {
          last_page: Math.max(1, Math.ceil(response.total / params.size)),
          last_row: response.total,
          data: response.rows,
        };
      },
      dataLoaderError: 'The view could not be loaded',
    });
    table.on('tableBuilt', fillChooser);
    table.on('dataLoadError', (e) => {
      if (e && e.status === 401) {
        signInAgain();
      }
      showError('The view could not be loaded' + (e && e.status ? ' (' + e.status + ')' : ''));
    });
    table.on('columnVisibilityChanged', fillChooser);
    showFunnel(view);
  }

  async function showFunnel(view) {
    const section = document.getElementById('funnel-section');
    section.hidden = view !== 'loan_funnel';
    if (section.hidden) {
      return;
    }
    const page = await getJson('/api/views/loan_funnel?size=1000');
    if (!funnel) {
      funnel = echarts.init(document.getElementById('funnel'));
    }
    funnel.setOption({
      tooltip: { trigger: 'item', formatter: '{b}: {c} applications' },
      series: [
        {
          type: 'funnel',
          sort: 'none',
          left: '10%',
          width: '80%',
          label: { show: true, position: 'inside' },
          data: page.rows.map((row) => ({ name: row.stage, value: row.applications })),
        },
      ],
    });
  }

  async function start() {
    const views = await getJson('/api/views');
    views.forEach((view) => picker.append(new Option(view.name, view.name)));
    const wanted = new URLSearchParams(window.location.search).get('view');
    picker.value = views.some((view) => view.name === wanted) ? wanted : views[0].name;
    picker.addEventListener('change', () => show(picker.value));
    await show(picker.value);
  }

  start().catch((e) => showError(e.message));
})();
