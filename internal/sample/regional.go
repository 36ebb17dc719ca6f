package sample

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
)

// Province is a provincial-level division of China: its GB/T 2260 code and names.
type Province struct{ Code, Name, NameZh string }

// Provinces are China's 31 provincial-level divisions on the mainland.
var Provinces = []Province{
	{"110000", "Beijing", "北京市"}, {"120000", "Tianjin", "天津市"}, {"130000", "Hebei", "河北省"},
	{"140000", "Shanxi", "山西省"}, {"150000", "Inner Mongolia", "内蒙古自治区"}, {"210000", "Liaoning", "辽宁省"},
	{"220000", "Jilin", "吉林省"}, {"230000", "Heilongjiang", "黑龙江省"}, {"310000", "Shanghai", "上海市"},
	{"320000", "Jiangsu", "江苏省"}, {"330000", "Zhejiang", "浙江省"}, {"340000", "Anhui", "安徽省"},
	{"350000", "Fujian", "福建省"}, {"360000", "Jiangxi", "江西省"}, {"370000", "Shandong", "山东省"},
	{"410000", "Henan", "河南省"}, {"420000", "Hubei", "湖北省"}, {"430000", "Hunan", "湖南省"},
	{"440000", "Guangdong", "广东省"}, {"450000", "Guangxi", "广西壮族自治区"}, {"460000", "Hainan", "海南省"},
	{"500000", "Chongqing", "重庆市"}, {"510000", "Sichuan", "四川省"}, {"520000", "Guizhou", "贵州省"},
	{"530000", "Yunnan", "云南省"}, {"540000", "Xizang", "西藏自治区"}, {"610000", "Shaanxi", "陕西省"},
	{"620000", "Gansu", "甘肃省"}, {"630000", "Qinghai", "青海省"}, {"640000", "Ningxia", "宁夏回族自治区"},
	{"650000", "Xinjiang", "新疆维吾尔自治区"},
}

// ProvinceIndicators are the dimension scores of the cn-province-2022 framework.
var ProvinceIndicators = []string{"cn_effectiveness_score", "cn_maturity_score", "cn_channels_score", "cn_coverage_score", "cn_guidance_score"}

// WriteProvinces writes synthetic dimension scores (0–100) for the 31 provinces and the
// given years: unit,name,name_zh,year,indicator,value. Scores cluster in the 70s–90s as
// in the published assessments, around a latent level per province.
func WriteProvinces(w io.Writer, years []int, seed uint64) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "unit,name,name_zh,year,indicator,value")
	rng := rand.New(rand.NewPCG(seed, 0xc41a))
	for _, p := range Provinces {
		level := clamp(84+rng.NormFloat64()*5, 68, 96)
		for i, y := range years {
			l := level + float64(i)*1.2
			for _, id := range ProvinceIndicators {
				v := round(clamp(l+rng.NormFloat64()*4, 50, 99.5), 2)
				fmt.Fprintf(bw, "%s,%s,%s,%d,%s,%s\n", p.Code, p.Name, p.NameZh, y, id, strconv.FormatFloat(v, 'f', -1, 64))
			}
		}
	}
	return bw.Flush()
}

// City is a city of the LOSI sample: a code (ISO3 of its country, a dash, an
// abbreviation) and names.
type City struct{ Code, Name, NameZh string }

// Cities are the most populous cities of 40 Member States.
var Cities = []City{
	{"CHN-SHA", "Shanghai", "上海"}, {"IND-MUM", "Mumbai", "孟买"}, {"USA-NYC", "New York", "纽约"},
	{"IDN-JKT", "Jakarta", "雅加达"}, {"PAK-KHI", "Karachi", "卡拉奇"}, {"BRA-SAO", "São Paulo", "圣保罗"},
	{"NGA-LOS", "Lagos", "拉各斯"}, {"BGD-DAC", "Dhaka", "达卡"}, {"RUS-MOW", "Moscow", "莫斯科"},
	{"MEX-MEX", "Mexico City", "墨西哥城"}, {"JPN-TYO", "Tokyo", "东京"}, {"ETH-ADD", "Addis Ababa", "亚的斯亚贝巴"},
	{"PHL-MNL", "Quezon City", "奎松城"}, {"EGY-CAI", "Cairo", "开罗"}, {"VNM-SGN", "Ho Chi Minh City", "胡志明市"},
	{"COD-FIH", "Kinshasa", "金沙萨"}, {"TUR-IST", "Istanbul", "伊斯坦布尔"}, {"IRN-THR", "Tehran", "德黑兰"},
	{"DEU-BER", "Berlin", "柏林"}, {"THA-BKK", "Bangkok", "曼谷"}, {"GBR-LON", "London", "伦敦"},
	{"FRA-PAR", "Paris", "巴黎"}, {"ITA-ROM", "Rome", "罗马"}, {"ZAF-JNB", "Johannesburg", "约翰内斯堡"},
	{"KEN-NBO", "Nairobi", "内罗毕"}, {"KOR-SEL", "Seoul", "首尔"}, {"COL-BOG", "Bogotá", "波哥大"},
	{"ESP-MAD", "Madrid", "马德里"}, {"ARG-BUE", "Buenos Aires", "布宜诺斯艾利斯"}, {"DZA-ALG", "Algiers", "阿尔及尔"},
	{"CAN-TOR", "Toronto", "多伦多"}, {"POL-WAW", "Warsaw", "华沙"}, {"MAR-CAS", "Casablanca", "卡萨布兰卡"},
	{"SAU-RUH", "Riyadh", "利雅得"}, {"PER-LIM", "Lima", "利马"}, {"AUS-SYD", "Sydney", "悉尼"},
	{"MYS-KUL", "Kuala Lumpur", "吉隆坡"}, {"NLD-AMS", "Amsterdam", "阿姆斯特丹"}, {"DNK-CPH", "Copenhagen", "哥本哈根"},
	{"EST-TLL", "Tallinn", "塔林"},
}

// LOSICriteria are the LOSI 2022 criteria and their numbers of indicators.
var LOSICriteria = []struct {
	ID string
	N  int
}{{"if", 8}, {"cp", 25}, {"sp", 18}, {"pe", 17}, {"tec", 18}}

// WriteLOSI writes synthetic yes/no (1/0) LOSI indicators for the sample cities and one
// year: unit,name,name_zh,year,indicator,value.
func WriteLOSI(w io.Writer, year int, seed uint64) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "unit,name,name_zh,year,indicator,value")
	rng := rand.New(rand.NewPCG(seed, 0x1051))
	for _, c := range Cities {
		level := clamp(0.55+rng.NormFloat64()*0.2, 0.1, 0.95)
		for _, cr := range LOSICriteria {
			// criteria differ: technology is easier, participation harder
			shift := map[string]float64{"if": 0.05, "cp": 0.08, "sp": 0, "pe": -0.12, "tec": 0.1}[cr.ID]
			for i := 1; i <= cr.N; i++ {
				v := 0
				if rng.Float64() < clamp(level+shift, 0.02, 0.98) {
					v = 1
				}
				fmt.Fprintf(bw, "%s,%s,%s,%d,losi_%s_%02d,%d\n", c.Code, c.Name, c.NameZh, year, cr.ID, i, v)
			}
		}
	}
	return bw.Flush()
}
