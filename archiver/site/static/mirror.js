// Spoilers: hidden until clicked or activated from the keyboard. The page works without this
// script (spoilers then stay blurred but readable on hover, see style.css).
document.addEventListener("click", (event) => {
  const spoiler = event.target.closest(".spoiler, .spoiler-media");
  if (spoiler && !spoiler.classList.contains("revealed")) {
    spoiler.classList.add("revealed");
    event.preventDefault();
  }
});
document.addEventListener("keydown", (event) => {
  if ((event.key === "Enter" || event.key === " ") && event.target.classList.contains("spoiler")) {
    event.target.classList.add("revealed");
    event.preventDefault();
  }
});
