// The declaration upload's progress: how much of the file is sent, then that the rows are
// being checked. htmx reports the upload's progress on the form as it posts.
document.addEventListener("htmx:xhr:progress", function (event) {
  var box = document.getElementById("upload-progress");
  var bar = document.getElementById("upload-bar");
  if (!box || !bar || !event.detail || !event.detail.lengthComputable) {
    return;
  }
  var percent = Math.round((event.detail.loaded / event.detail.total) * 100);
  bar.value = percent;
  bar.textContent = percent + "%";
  if (percent >= 100) {
    box.classList.add("sent");
  }
});
