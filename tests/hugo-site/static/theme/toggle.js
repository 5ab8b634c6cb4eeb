// The theme's own dark-mode toggle: a class on body, as PaperMod and many themes do.
if (localStorage.getItem('pref-theme') === 'dark') document.body.classList.add('dark');
document.getElementById('theme-toggle').addEventListener('click', () => {
  const dark = document.body.classList.toggle('dark');
  localStorage.setItem('pref-theme', dark ? 'dark' : 'light');
});
