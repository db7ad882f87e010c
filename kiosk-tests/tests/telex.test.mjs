// Telex as Vietnamese typists expect it, without a browser: each row is the keys a citizen taps on
// the kiosk's keyboard (a capital is a key typed with Shift or Caps) and the text that must appear.
// Marks in any order (Unikey's free marking), tones by the modern placement rule, capitals, names,
// addresses, e-mail addresses and foreign words that must keep their letters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { typeAll } = require('../../kiosk-ui/telex.js');

const TABLE = [
  // The standard sequences.
  ['tooi', 'tôi'], ['hoir', 'hỏi'], ['nguwowif', 'người'], ['dduwowngf', 'đường'],
  ['vieetj nam', 'việt nam'], ['tieengs vieetj', 'tiếng việt'], ['awn', 'ăn'], ['owr', 'ở'],
  ['uwts', 'ứt'], ['ddi', 'đi'], ['hoj teen', 'họ tên'], ['giaasy towf', 'giấy tờ'],
  ['hooj tichj', 'hộ tịch'], ['chuwngs thuwcj', 'chứng thực'], ['khai sinh', 'khai sinh'],
  // Marks typed after later letters (free marking): they land on the right vowel.
  ['dduocwj', 'được'], ['nguoiwf', 'người'], ['tiengse', 'tiếng'], ['vietej', 'việt'],
  ['thuongw', 'thương'], ['truowngf', 'trường'], ['truongwf', 'trường'], ['quocos', 'quốc'],
  ['nguyenxe', 'nguyễn'], ['hoanfg', 'hoàng'], ['tosi', 'tói'], ['muaw', 'mưa'],
  ['hoawcj', 'hoặc'], ['dduwocj', 'được'], ['didf', 'đì'], ['ddaays', 'đấy'],
  // The modern placement rule, and the tone moving as the word grows.
  ['hoaf', 'hoà'], ['hoaf hoafng', 'hoà hoàng'], ['thuys', 'thuý'], ['khoer', 'khoẻ'],
  ['tosa', 'toá'], ['mais', 'mái'], ['muaf', 'mùa'], ['ngoaif', 'ngoài'], ['khuyur', 'khuỷu'],
  ['xoays', 'xoáy'], ['quys', 'quý'], ['quaf', 'quà'], ['gif', 'gì'], ['giaf', 'già'],
  ['giuwx', 'giữ'], ['giuwowngf', 'giường'], ['nghiax', 'nghĩa'], ['khuyeens', 'khuyến'],
  ['thuyeenf', 'thuyền'], ['yeeu', 'yêu'], ['ruowuj', 'rượu'], ['khoong', 'không'],
  // Undo: a mark typed twice is a letter.
  ['ass', 'as'], ['ddd', 'dd'], ['ww', 'w'], ['xooong', 'xoong'], ['tuww', 'tuw'], ['aaa', 'aa'],
  ['z', 'z'], ['hoasz', 'hoa'],
  // Capitals with Shift or Caps.
  ['Tooi', 'Tôi'], ['Nguyeenx Vawn An', 'Nguyễn Văn An'], ['TRAANF THIJ BICHS NGOCJ', 'TRẦN THỊ BÍCH NGỌC'],
  ['DDaf Nawngx', 'Đà Nẵng'], ['Quarng Ngaix', 'Quảng Ngãi'], ['Lys Sown', 'Lý Sơn'],
  ['Phamj Minh Tuaans', 'Phạm Minh Tuấn'], ['Huynhf Thij Thuyr', 'Huỳnh Thị Thuỷ'],
  ['Lee Hoangf Phucs', 'Lê Hoàng Phúc'], ['Vox Thij Hoongf Nhung', 'Võ Thị Hồng Nhung'],
  ['DDawngj Quoocs Khanhs', 'Đặng Quốc Khánh'], ['Buif Thanh Trucs', 'Bùi Thanh Trúc'],
  // Addresses, with digits and symbols from the symbols page.
  ['12/3 Lee Lowij', '12/3 Lê Lợi'], ['soos 52 Hungf Vuwowng', 'số 52 Hùng Vương'],
  ['phuwowngf Nghiax Looj', 'phường Nghĩa Lộ'], ['xax Binhf Sown', 'xã Bình Sơn'],
  ['ddawcj khu Lys Sown', 'đặc khu Lý Sơn'], ['thoon Phus Thoj, xax Tinhj Khee', 'thôn Phú Thọ, xã Tịnh Khê'],
  ['(Nghiax Hanhf)', '(Nghĩa Hành)'], ['toor 4 - khu phoos 2', 'tổ 4 - khu phố 2'],
  ['ngox 15, ngachs 7', 'ngõ 15, ngách 7'], ['soos ddieenj thoaij: 0905 123 456', 'số điện thoại: 0905 123 456'],
  // E-mail addresses and foreign words keep their letters.
  ['an.nguyen@gmail.com', 'an.nguyen@gmail.com'], ['tuan_pham@yahoo.com.vn', 'tuan_pham@yahoo.com.vn'],
  ['hoa.le@quangngai.gov.vn', 'hoa.le@quangngai.gov.vn'], ['thuy.tran@outlook.com', 'thuy.tran@outlook.com'],
  ['emails', 'emails'], ['zalo', 'zalo'], ['facebook', 'facebook'], ['website', 'website'],
  // Sentences citizens write.
  ['Tooi muoons hoir veef thur tucj caaps giaasy khais sinh', 'Tôi muốn hỏi về thủ tục cấp giấy khái sinh'],
  ['Khi naof tooi dduowcj nhaanj keets quar?', 'Khi nào tôi được nhận kết quả?'],
  ['Xin camr own!', 'Xin cảm ơn!'], ['Hoof sow bij treex hanj', 'Hồ sơ bị trễ hạn'],
];

test('Telex turns the keys citizens tap into the words they mean', () => {
  assert.ok(TABLE.length >= 80, `at least 80 words and phrases (${TABLE.length})`);
  const wrong = [];
  for (const [keys, expected] of TABLE) {
    const typed = typeAll(keys);
    if (typed !== expected) wrong.push(`${keys} → ${typed} (expected ${expected})`);
  }
  assert.deepEqual(wrong, []);
});
