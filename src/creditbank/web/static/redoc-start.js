// Starts ReDoc on /api/redoc (a file, so that the page needs no inline script). ReDoc writes its
// styles into <style> elements: they carry the nonce this answer's policy allows.
window.addEventListener("load", function () {
  var element = document.getElementById("redoc");
  Redoc.init(
    element.getAttribute("data-openapi-url"),
    // no search: it would run in a worker made from a blob:, which the policy refuses
    { nonce: element.getAttribute("data-style-nonce"), disableSearch: true },
    element
  );
});
