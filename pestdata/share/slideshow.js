// The parent-evening slideshow, for the live deck in Voila and for the offline file alike:
// arrow keys move a slide (each page defines pdStep), and the age filter on the materials
// slide shows the materials that fit.
function pdFilterAge(select) {
  var age = parseInt(select.value, 10);
  var scope = select.closest('.pd-slide') || document;
  scope.querySelectorAll('.pd-parent-material').forEach(function (li) {
    var fits = isNaN(age) || (+li.dataset.min <= age && age <= +li.dataset.max);
    li.style.display = fits ? '' : 'none';
  });
}
document.addEventListener('keydown', function (e) {
  // Keys typed in a form field belong to that field; Space on a button already clicks it.
  if (e.target.closest && e.target.closest('input, select, textarea')) { return; }
  var step = 0;
  if (e.key === 'ArrowRight' || e.key === 'PageDown') { step = 1; }
  if (e.key === 'ArrowLeft' || e.key === 'PageUp') { step = -1; }
  if (step) { pdStep(step); e.preventDefault(); }
});
