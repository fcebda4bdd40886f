// Lists (core/listing.py): tick every row of the page, show the inputs the chosen batch action asks for, ask
// before an action that says it must. Works on lists swapped in by htmx too.
(function () {
  function ticks() { return document.querySelectorAll('input[name=ids][form=batch-form]'); }
  document.addEventListener('change', function (event) {
    var target = event.target;
    if (target.matches('[data-tick-all]')) {
      ticks().forEach(function (box) { box.checked = target.checked; });
    }
    if (target.matches('form[data-batch] select[name=action]')) {
      var chosen = target.value;
      target.form.querySelectorAll('.batch-field').forEach(function (field) {
        field.hidden = field.dataset.for !== chosen;
        field.querySelector('input').disabled = field.hidden;
      });
    }
  });
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!form.matches('form[data-batch]')) return;
    var option = form.querySelector('select[name=action]').selectedOptions[0];
    if (option && option.dataset.confirm && !window.confirm(option.dataset.confirm)) event.preventDefault();
  });
})();
