// The state in the URL fragment (with the `link` attribute): the address bar follows the
// view once a change is complete, a changed fragment is applied, and "Copy link" gives the link.
import { h } from './util.js';

/** URL state of one element (`x`). */
export class UrlState {
  constructor(x) {
    this.x = x;
    this.last = '';
    this.onHash = () => { if (location.hash.slice(1) !== this.fragment()) this.apply(location.hash); };
  }

  /** The state as a fragment (without '#'); numbers round-trip exactly. */
  fragment() { return this.x._host.call((ex) => ex.fragment()); }

  /** Applies a fragment; a malformed one is reported, ignored, and changes nothing. */
  apply(hash) {
    const x = this.x;
    const text = String(hash ?? '').replace(/^#/, '');
    if (!text) return false;
    try {
      const { unknown, ...partial } = x._host.wasm.Explorer.parseFragment(text);
      x.setState(partial);
      if (unknown.length) x._showError(`link: ignored unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}`);
      return true;
    } catch (e) {
      x._showError(e.message.startsWith('link') ? e.message : `link ignored: ${e.message}`);
      return false;
    }
  }

  /** Applies the page's fragment whenever it changes. */
  listen() { window.addEventListener('hashchange', this.onHash); }

  unlisten() { window.removeEventListener('hashchange', this.onHash); }

  /** After a complete render of state `key` (its JSON): the address bar follows. */
  follow(key) {
    if (key === this.last) return;
    this.last = key;
    history.replaceState(null, '', `#${this.fragment()}`);
  }

  /** The "Copy link" button and the field that shows the link. */
  control() {
    const out = h('input', { type: 'text', readonly: true, 'aria-label': 'Link to this view', class: 'link' });
    const copy = h('button', { type: 'button' }, 'Copy link');
    copy.addEventListener('click', async () => {
      out.value = `${location.href.split('#')[0]}#${this.fragment()}`;
      out.hidden = false;
      out.select();
      try { await navigator.clipboard.writeText(out.value); copy.textContent = 'Copied'; } catch { copy.textContent = 'Copy the link below'; }
      setTimeout(() => { copy.textContent = 'Copy link'; }, 2000);
    });
    out.hidden = true;
    return [h('div', { class: 'row' }, copy), out];
  }
}
