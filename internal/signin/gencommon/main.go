// Command gencommon writes common.txt.gz, the list of common passwords
// that package signin refuses (go generate in package signin).
//
// The list is made here rather than downloaded: the most used passwords
// of published leak studies and of French users (azerty, motdepasse,
// soleil…), written from knowledge below, and the variants people make of
// them (a capital, digits, a year, a "!" at the end, letters for digits),
// sorted and deduplicated. What matters is that the passwords a guesser
// tries first are refused; the list is lower-cased and the check is too.
package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"slices"
	"strings"
)

// seeds are passwords seen at the top of every published list, and
// French and English words and names people build theirs from.
var seeds = strings.Fields(`
123456 password 12345678 qwerty 123456789 12345 1234 111111 1234567 dragon
123123 baseball abc123 football monkey letmein 696969 shadow master 666666
qwertyuiop 123321 mustang 1234567890 michael 654321 superman 1qaz2wsx 7777777
121212 000000 qazwsx 123qwe killer trustno1 jordan jennifer zxcvbnm asdfgh
hunter buster soccer harley batman andrew tigger sunshine iloveyou 2000 charlie
robert thomas hockey ranger daniel starwars klaster 112233 george computer
michelle jessica pepper 1111 zxcvbn 555555 11111111 131313 freedom 777777 pass
maggie 159753 aaaaaa ginger princess joshua cheese amanda summer love ashley
nicole chelsea biteme matthew access yankees 987654321 dallas austin thunder
taylor matrix mobilemail mom monitor monitoring montana moon moscow welcome
admin administrator root toor passw0rd p@ssw0rd password1 qwerty123 azerty
azertyuiop motdepasse soleil doudou chouchou loulou marseille nicolas julien
camille bonjour coucou chocolat amour jetaime doudou123 vivelavie france paris
lyon toulouse nice nantes strasbourg montpellier bordeaux lille rennes toulon
provence sud datasud marine pierre louis lucas hugo emma lea chloe manon ines
jade louise alice lina mathis nathan enzo leo gabriel raphael arthur jules
maxime antoine alexandre quentin romain clement sebastien mathieu guillaume
vincent olivier philippe christophe frederic laurent stephane patrick pascal
isabelle nathalie sandrine sophie celine valerie stephanie veronique sylvie
catherine christine martine francoise monique nadine brigitte chantal
olympique om psg allezlesbleus zidane mbappe ronaldo messi neymar barcelona
liverpool arsenal manchester realmadrid juventus chelsea fcbarcelona
secret secret123 changeme default guest test test123 testing demo demo123
octroi octroi123 geoportail cartes carte geoplateforme ign opendata data
donnees dataset wms wfs wmts mapserver geoserver qgis admin123 root123
welcome1 welcome123 letmein1 hello hello123 helloworld bonjour123 salut
whatever trustme loveme lovely iloveu jesus christ angel angels diamond
flower flowers sunflower butterfly rainbow purple orange banana apple
cherry strawberry peanut cookie cookies candy sugar honey sweety sweetheart
baby babygirl babyboy princesse prince king queen lion tiger eagle falcon
wolf panther dolphin horse cowboy pirate ninja samurai warrior legend hero
magic wizard merlin gandalf frodo matrix neo morpheus trinity zelda mario
pokemon pikachu naruto goku vegeta sasuke minecraft fortnite roblox
playstation xbox nintendo gamer gaming hacker hacking anonymous security
internet google facebook twitter instagram yahoo hotmail outlook gmail
microsoft windows linux ubuntu debian apple123 samsung nokia motorola
computer1 laptop desktop keyboard mouse server network system
qwerty1 qwerty12 qwertyui asdfghjkl asdf1234 zxcvbnm1 1q2w3e4r 1q2w3e4r5t
1qaz2wsx3edc qazwsxedc zaq12wsx 1qazxsw2 q1w2e3r4 a1b2c3d4 abcd1234
abcdef abcdefg abcdefgh azerty123 azertyui wxcvbn qsdfghjklm aqwzsx
aze123 azer1234 poiuytreza mlkjhgfdsq 0123456789 9876543210 147258369
159357 147258 741852963 789456123 123654 1478963 zxcv asdf qwer
123abc abc 000 111 222 333 444 555 666 777 888 999 aaa bbb xxx zzz
dragon1 master1 shadow1 monkey1 sunshine1 princess1 football1 baseball1
superman1 batman1 spiderman ironman captain america hulk thor loki
starwars1 skywalker vader yoda jedi sith darkside force
summer1 winter spring autumn hiver printemps ete automne janvier fevrier
mars avril mai juin juillet aout septembre octobre novembre decembre
january february march april may june july august september october
november december monday friday sunday lundi mardi mercredi jeudi
vendredi samedi dimanche noel christmas easter paques halloween
family famille maison house home papa maman mama papa123 maman123
mother father sister brother daddy mommy grandma mamie papy
love123 amour123 jetaime1 teamo tequiero ichliebedich tiamo
fuckyou fuckoff merde putain connard salope bite chatte
killer1 assassin sniper soldier army navy marine police
money dollar euro cash rich million bitcoin crypto ethereum
london newyork berlin madrid rome tokyo moscow london1 america usa
canada quebec montreal belgique bruxelles suisse geneve
mickey minnie donald goofy pluto disney simba nemo dory
snoopy garfield tintin milou asterix obelix idefix
jordan23 lebron kobe24 michael1 jordan1 tiger1 nike adidas puma
ferrari porsche lamborghini bmw audi mercedes peugeot renault citroen
yamaha honda suzuki kawasaki ducati harley1 chevrolet ford mustang1
corvette camaro toyota nissan mazda subaru volvo tesla
guitar piano music musique rock metal jazz blues rap hiphop
beatles metallica nirvana eminem rihanna beyonce madonna
soccer1 hockey1 tennis golf basket rugby volley handball
pass123 pass1234 password12 password123 password1234 passw0rd1
motdepasse1 motdepasse123 mdp mdp123 mdp1234 azerty1 azerty12
soleil123 bonjour1 doudou1 chouchou1 loulou123 nicolas1 marseille13
paris75 lyon69 toulouse31 nice06 marseille1 olympique13 allezlom
sesame opensesame abracadabra azerty12345 qwerty12345 123456a
a123456 aa123456 abc12345 123456789a 1234567a 12345a 1234qwer
qwer1234 qwerasdf asdfqwer zxcvasdf 1q2w3e 1a2b3c 123qweasd
qweasdzxc qweasd zxcasd 123qweasdzxc 1qaz2wsx3edc4rfv
`)

// suffixes are what people add to a word to meet a rule.
var suffixes = []string{"", "1", "12", "123", "1234", "!", "1!"}

func main() {
	set := map[string]bool{}
	add := func(s string) {
		if s = strings.ToLower(strings.TrimSpace(s)); s != "" {
			set[s] = true
		}
	}
	for i, w := range seeds {
		for _, suf := range suffixes {
			add(w + suf)
		}
		add(leet(w))
		add(leet(w) + "1")
		add(w + w)
		// A year after the words at the top of the lists.
		for y := 1975; i < 60 && y <= 2030; y++ {
			add(fmt.Sprint(w, y))
		}
	}
	// Repeated characters and runs of digits and keyboard rows, at every
	// length a rule asks for.
	for _, c := range "0123456789abcdefghijklmnopqrstuvwxyz!" {
		for n := 4; n <= 20; n++ {
			add(strings.Repeat(string(c), n))
		}
	}
	for _, row := range []string{"1234567890", "0987654321", "qwertyuiop", "azertyuiop", "asdfghjkl", "qsdfghjklm", "zxcvbnm", "wxcvbn", "abcdefghijklmnopqrstuvwxyz"} {
		for i := 0; i < len(row); i++ {
			for j := i + 4; j <= len(row); j++ {
				add(row[i:j])
				add(row[i:j] + row[i:j])
			}
		}
	}
	// Years.
	for y := 1950; y <= 2030; y++ {
		add(fmt.Sprint(y))
	}
	list := make([]string, 0, len(set))
	for s := range set {
		list = append(list, s)
	}
	slices.Sort(list)
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write([]byte(strings.Join(list, "\n") + "\n"))
	zw.Close()
	if err := os.WriteFile("common.txt.gz", buf.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Fprintln(os.Stderr, len(list), "passwords,", buf.Len(), "bytes")
}

// leet writes the letters people replace with digits and signs.
func leet(s string) string {
	return strings.NewReplacer("a", "@", "e", "3", "i", "1", "o", "0", "s", "$").Replace(s)
}
