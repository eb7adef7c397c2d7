import Testing
import TextFeatures

@Suite("UnicodeTokenizer follows its documented rules")
struct UnicodeTokenizerTests {
    let tokenizer = UnicodeTokenizer()

    @Test("English: punctuation split off, clitics split, numbers kept, lowercased")
    func english() {
        #expect(tokenizer.tokens(in: "The script isn't up to it, it's 3.5 stars — $1,000!")
            == ["the", "script", "is", "n't", "up", "to", "it", ",", "it", "'s", "3.5", "stars", "—", "$", "1,000", "!"])
        #expect(tokenizer.tokens(in: "A well-known rock'n'roll film.") == ["a", "well-known", "rock'n'roll", "film", "."])
        #expect(tokenizer.tokens(in: "Sweet Home Alabama” is what it is") == ["sweet", "home", "alabama", "”", "is", "what", "it", "is"])
        #expect(tokenizer.tokens(in: "don’t") == ["do", "n't"])
    }

    @Test("Portuguese and Spanish keep accented letters inside words")
    func romance() {
        #expect(tokenizer.tokens(in: "Não é um filme ruim, é ótimo!") == ["não", "é", "um", "filme", "ruim", ",", "é", "ótimo", "!"])
        #expect(tokenizer.tokens(in: "¿Qué pasó? ¡Increíble película!") == ["¿", "qué", "pasó", "?", "¡", "increíble", "película", "!"])
    }

    @Test("Cyrillic words and CJK characters")
    func cyrillicAndCJK() {
        #expect(tokenizer.tokens(in: "Преступление и наказание, 1866") == ["преступление", "и", "наказание", ",", "1866"])
        #expect(tokenizer.tokens(in: "我喜欢这部电影。") == ["我", "喜", "欢", "这", "部", "电", "影", "。"])
        #expect(tokenizer.tokens(in: "映画がすき") == ["映", "画", "が", "す", "き"])
    }

    @Test("case is kept when asked; empty and blank text give no tokens")
    func caseAndEmpty() {
        #expect(UnicodeTokenizer(caseFolding: .preserve).tokens(in: "Paris is NICE") == ["Paris", "is", "NICE"])
        #expect(tokenizer.tokens(in: "").isEmpty && tokenizer.tokens(in: " \t\n ").isEmpty)
    }

    @Test("the whitespace tokenizer splits like fastText and changes nothing else")
    func whitespace() {
        #expect(WhitespaceTokenizer().tokens(in: "Hello,  World!\tIt's\nfine") == ["Hello,", "World!", "It's", "fine"])
        #expect(WhitespaceTokenizer().configuration.makeTokenizer().tokens(in: "a b") == ["a", "b"])
    }
}
