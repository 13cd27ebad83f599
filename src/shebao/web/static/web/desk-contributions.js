// The declaration upload's progress: how much of the file is sent, then that the rows are
// being checked. htmx reports the request's progress on the form as it posts: first the
// upload's, then the answer's, which is ignored once the file is sent.
document.addEventListener("htmx:beforeRequest", function () {
  var box = document.getElementById("upload-progress");
  var bar = document.getElementById("upload-bar");
  if (box && bar) {
    box.classList.remove("sent");
    bar.value = 0;
  }
});
document.addEventListener("htmx:xhr:progress", function (event) {
  var box = document.getElementById("upload-progress");
  var bar = document.getElementById("upload-bar");
  if (!box || !bar || box.classList.contains("sent")) {
    return;
  }
  if (!event.detail || !event.detail.lengthComputable || !event.detail.total) {
    return;
  }
  var percent = Math.round((event.detail.loaded / event.detail.total) * 100);
  bar.value = percent;
  bar.textContent = percent + "%";
  if (percent >= 100) {
    box.classList.add("sent");
  }
});
