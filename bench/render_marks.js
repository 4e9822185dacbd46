window.__marks = {};
(function () {
  const want = {
    'html-voila': '.jp-OutputArea, .voila-spinner, body',
    'any-widget': '.jupyter-widgets',
    'overview': '.pd-overview',
    'figures': '.pd-key-figures .pd-card',
    'button': '.bench-button',
    'first-paint': '.pd-first-paint .js-plotly-plot',
    'plot-trend': '.pd-chart-trend .js-plotly-plot',
    'plot-age': '.pd-chart-age .js-plotly-plot',
    'plot-steps': '.pd-chart-steps .js-plotly-plot',
    'plot-heat': '.pd-chart-steps-quarter .js-plotly-plot',
    'plot-trend-svg': '.pd-chart-trend .main-svg',
    'plot-heat-svg': '.pd-chart-steps-quarter .main-svg',
  };
  function check() {
    for (const [k, s] of Object.entries(want)) {
      if (!(k in window.__marks) && document.querySelector(s)) window.__marks[k] = Math.round(performance.now());
    }
  }
  new MutationObserver(check).observe(document, {subtree: true, childList: true});
  document.addEventListener('DOMContentLoaded', () => { window.__marks['DOMContentLoaded'] = Math.round(performance.now()); });
  window.addEventListener('load', () => { window.__marks['load'] = Math.round(performance.now()); });
})();
