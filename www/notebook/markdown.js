// A small, safe Markdown renderer for lesson prose: headings, paragraphs, lists, block quotes,
// rules, inline code, emphasis, strong and links. It builds DOM nodes with textContent only
// (never innerHTML), so lesson text cannot inject markup or scripts; raw HTML shows as text.
// Stand-in until a maintained Markdown library is vendored (see the cells helper's report).

const SAFE_URL = /^(https?:|mailto:|#|\.{0,2}\/|[\w.-]+(?:[/?#]|$))/i;

function node(tag, children = [], attrs = {}) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
  n.append(...children);
  return n;
}

// Finds `close` in `s` from `from`, skipping backslash escapes; -1 if absent.
function findClose(s, close, from) {
  for (let i = from; i <= s.length - close.length; i++) {
    if (s[i] === '\\') { i++; continue; }
    if (s.startsWith(close, i)) return i;
  }
  return -1;
}

/** Inline Markdown of `s` as an array of nodes and strings. */
export function inline(s) {
  const out = [];
  let text = '';
  const flush = () => { if (text) out.push(text); text = ''; };
  for (let i = 0; i < s.length;) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length && /[\\`*_[\]()#+\-.!<>]/.test(s[i + 1])) {
      text += s[i + 1];
      i += 2;
      continue;
    }
    if (c === '`') {
      let ticks = 1;
      while (s[i + ticks] === '`') ticks++;
      const end = s.indexOf('`'.repeat(ticks), i + ticks);
      if (end > 0) {
        flush();
        out.push(node('code', [s.slice(i + ticks, end).trim() || s.slice(i + ticks, end)]));
        i = end + ticks;
        continue;
      }
    }
    if (c === '[') {
      const mid = findClose(s, '](', i + 1);
      const end = mid > 0 ? findClose(s, ')', mid + 2) : -1;
      if (end > 0) {
        const url = s.slice(mid + 2, end).trim();
        flush();
        if (SAFE_URL.test(url) && !/^\s*javascript:/i.test(url)) out.push(node('a', inline(s.slice(i + 1, mid)), { href: url }));
        else out.push(...inline(s.slice(i + 1, mid)));
        i = end + 1;
        continue;
      }
    }
    if ((c === '*' || c === '_') && s[i + 1] === c) {
      const end = findClose(s, c + c, i + 2);
      if (end > i + 2) {
        flush();
        out.push(node('strong', inline(s.slice(i + 2, end))));
        i = end + 2;
        continue;
      }
    }
    if ((c === '*' || c === '_') && s[i + 1] && s[i + 1] !== ' ' && (c === '*' || !/\w/.test(s[i - 1] || ''))) {
      const end = findClose(s, c, i + 1);
      if (end > i + 1 && (c === '*' || !/\w/.test(s[end + 1] || ''))) {
        flush();
        out.push(node('em', inline(s.slice(i + 1, end))));
        i = end + 1;
        continue;
      }
    }
    text += c;
    i++;
  }
  flush();
  return out;
}

const LIST_ITEM = /^(\s*)([-*+]|\d+[.)])\s+(.*)$/;

/** Block Markdown of `text` (no fenced code: the lesson splitter takes those) as nodes. */
export function renderMarkdown(text) {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const out = [];
  let para = [];
  const endPara = () => {
    if (para.length) out.push(node('p', inline(para.join(' '))));
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    let m;
    if (!line.trim()) { endPara(); continue; }
    if ((m = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line))) {
      endPara();
      out.push(node(`h${m[1].length}`, inline(m[2])));
    } else if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
      endPara();
      out.push(node('hr'));
    } else if (/^\s*>/.test(line)) {
      endPara();
      const quoted = [];
      while (i < lines.length && /^\s*>/.test(lines[i])) quoted.push(lines[i++].replace(/^\s*>\s?/, ''));
      i--;
      out.push(node('blockquote', renderMarkdown(quoted.join('\n'))));
    } else if ((m = LIST_ITEM.exec(line)) && !para.length) {
      const ordered = /\d/.test(m[2]);
      const list = node(ordered ? 'ol' : 'ul');
      let item = null;
      for (; i < lines.length && lines[i].trim(); i++) {
        const li = LIST_ITEM.exec(lines[i]);
        if (li && /\d/.test(li[2]) === ordered) {
          item = [li[3]];
          list.append(node('li', []));
        } else if (item) {
          item.push(lines[i].trim());
        } else break;
        list.lastChild.replaceChildren(...inline(item.join(' ')));
      }
      i--;
      out.push(list);
    } else {
      para.push(line.trim());
    }
  }
  endPara();
  return out;
}
