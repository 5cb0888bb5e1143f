import { extensionOf, MAX_FILENAME_LENGTH, sanitizeFileName } from './file-name';

describe('sanitizeFileName', () => {
  it.each([
    ['../../x.txt', 'x.txt'],
    ['..\\..\\windows\\system32\\x.txt', 'x.txt'],
    ['C:\\Users\\ana\\report.pdf', 'report.pdf'],
    ['/etc/passwd', 'passwd'],
    ['.htaccess', 'htaccess'],
    ['..', ''],
    ['report.pdf. . ', 'report.pdf'],
    ['  spaced name.log  ', 'spaced name.log'],
    ['line\r\nbreak\u0000.txt', 'linebreak.txt'],
    ['bell\u0007\u009b.txt', 'bell.txt'],
    ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['zero\u200Bwidth.txt', 'zerowidth.txt'],
    ['a<b>c:d"e|f?g*h.txt', 'a_b_c_d_e_f_g_h.txt'],
    ['Cafe\u0301.txt', 'Café.txt'],
    ['日本語のファイル.pdf', '日本語のファイル.pdf'],
  ])('%j → %j', (raw, expected) => {
    expect(sanitizeFileName(raw)).toBe(expected);
  });

  it('shortens long names to the column length and keeps the extension', () => {
    const name = sanitizeFileName(`${'a'.repeat(400)}.xlsx`);
    expect(Array.from(name)).toHaveLength(MAX_FILENAME_LENGTH);
    expect(name.endsWith('.xlsx')).toBe(true);
  });

  it('never splits a character made of two UTF-16 units', () => {
    const name = sanitizeFileName(`${'😀'.repeat(300)}.txt`);
    expect(Array.from(name)).toHaveLength(MAX_FILENAME_LENGTH);
    expect(name).toBe(`${'😀'.repeat(MAX_FILENAME_LENGTH - 4)}.txt`);
  });

  it('drops unpaired surrogates', () => {
    expect(sanitizeFileName('bad\uD800name.txt')).toBe('badname.txt');
  });
});

describe('extensionOf', () => {
  it.each([
    ['report.PDF', 'pdf'],
    ['archive.tar.gz', 'gz'],
    ['noextension', null],
    ['trailingdot.', null],
    ['', null],
  ])('%j → %j', (name, expected) => {
    expect(extensionOf(name)).toBe(expected);
  });
});
